using System.Globalization;
using Overparam.Numerics;

namespace Overparam.Data;

/// <summary>
/// Reads a dataset from a CSV file: one sample per line, the features then the label, separated by commas.
/// <list type="bullet">
/// <item>Numbers are parsed with the invariant culture ("1.5", "-2e-3"); spaces around a field are ignored.</item>
/// <item>The first line is a header, and is skipped, only if no field of it is a number; a first line with some
///   numeric and some non-numeric fields is an error at the first non-numeric field.</item>
/// <item>Blank lines at the end are ignored; any other blank line is an error.</item>
/// <item>Every row must have the same number of fields, with at least one feature; with an input shape,
///   exactly (product of the shape) + 1 fields.</item>
/// <item>No NaN or infinite values, no input row of all zeros or whose squared norm underflows to 0 or overflows (it could
///   not be normalized), no labels whose squares sum to more than a double holds, at least 2 samples.</item>
/// <item>Lines longer than <see cref="MaxLineLength"/> characters are an error (csv:/dev/zero is not read forever).</item>
/// <item>With C ≥ 2 classes, every label is a class id: an integer 0 … C−1.</item>
/// </list>
/// Problems are <see cref="DataFormatException"/>s naming the file, the 1-based line and, for a bad field, the 1-based column.
/// The inputs are returned as read, not normalized: call <see cref="Dataset.Normalized"/>.
/// </summary>
public static class CsvData
{
    /// <summary>Longest line accepted: a longer one is not a CSV row of this tool (e.g. csv:/dev/zero, a binary file).</summary>
    public const int MaxLineLength = 1 << 24;

    /// <summary>
    /// Loads <paramref name="path"/>; <paramref name="inputShape"/> is [d] or [d0, p] (null: [number of features]);
    /// <paramref name="classes"/> is 0 for real labels, C ≥ 2 for class ids; <paramref name="maxRows"/> takes only the
    /// first rows of the file (null: all). The file is read line by line and only as far as needed.
    /// </summary>
    public static Dataset Load(string path, int[]? inputShape = null, int classes = 0, int? maxRows = null) =>
        Load(path, inputShape, classes, maxRows, out _);

    /// <summary><see cref="Load(string, int[], int, int?)"/>; <paramref name="more"/> says whether rows beyond <paramref name="maxRows"/> were left out.</summary>
    public static Dataset Load(string path, int[]? inputShape, int classes, int? maxRows, out bool more)
    {
        if (inputShape is not null && (inputShape.Length == 0 || inputShape.Any(s => s <= 0)))
            throw new ArgumentException($"input shape [{string.Join(", ", inputShape)}] must have positive dimensions", nameof(inputShape));
        if (maxRows < 1) throw new ArgumentOutOfRangeException(nameof(maxRows), $"{maxRows} rows: need at least 1");
        if (!File.Exists(path))
            throw new DataFormatException(path, Directory.Exists(path) ? "is a directory, expected a CSV file" : "file not found");

        int? expected = inputShape is null ? null : checked(inputShape.Aggregate(1, (a, b) => a * b) + 1);
        int? firstDataLine = null, blankLine = null;
        var values = new List<double>();
        int rows = 0, lineNo = 0;
        more = false;
        double labelSquares = 0;
        try
        {
            foreach (string line in Lines(path))
            {
                lineNo++;
                if (string.IsNullOrWhiteSpace(line)) { blankLine ??= lineNo; continue; }
                if (blankLine is int blank)
                    throw new DataFormatException(path, blank, null, "blank line (only trailing blank lines are allowed)");
                string[] fields = line.Split(',');
                if (lineNo == 1 && fields.All(f => !IsNumber(f))) continue; // header
                if (rows == maxRows) { more = true; break; }

                if (fields.Length < 2)
                    throw new DataFormatException(path, lineNo, null,
                        $"row has {fields.Length} field; need at least one feature and a label");
                if (expected is null)
                {
                    expected = fields.Length;
                }
                else if (fields.Length != expected)
                {
                    if (inputShape is not null)
                        throw new DataFormatException(path, lineNo, null,
                            $"row has {fields.Length - 1} features, --input-shape {string.Join("x", inputShape)} needs {expected - 1}");
                    throw new DataFormatException(path, lineNo, null,
                        $"row has {fields.Length} fields, expected {expected} (as on line {firstDataLine})");
                }
                firstDataLine ??= lineNo;

                bool allZero = true;
                double squares = 0;
                for (int c = 0; c < fields.Length; c++)
                {
                    double v = ParseField(path, lineNo, c + 1, fields[c], lineNo == 1);
                    if (c < fields.Length - 1) { squares += v * v; if (v != 0) allZero = false; }
                    else
                    {
                        if (classes >= 2 && !(v >= 0 && v < classes && v == Math.Floor(v)))
                            throw new DataFormatException(path, lineNo, c + 1, $"label \"{fields[c].Trim()}\" is not a class id 0…{classes - 1}");
                        labelSquares += v * v;
                        if (double.IsInfinity(labelSquares))
                            throw new DataFormatException(path, lineNo, c + 1,
                                $"label \"{fields[c].Trim()}\" is too large: the sum of squared labels, and with it the loss ½Σ(f(x)−y)², overflows");
                    }
                    values.Add(v);
                }
                if (allZero)
                    throw new DataFormatException(path, lineNo, null, "input row is all zeros; it cannot be normalized");
                if (squares == 0)
                    throw new DataFormatException(path, lineNo, null, "input row's squared norm underflows to 0 (features too close to 0); it cannot be normalized");
                if (double.IsInfinity(squares))
                    throw new DataFormatException(path, lineNo, null, "input row's squared norm overflows (a feature too large in magnitude); rescale the data");
                rows++;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, $"cannot read: {e.Message}", e);
        }

        if (rows < 2)
            throw new DataFormatException(path, $"need at least 2 samples, found {rows}");

        int k = expected!.Value, features = k - 1;
        var x = new Matrix<double>(rows, features);
        var y = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            values.CopyTo(i * k, x.Data, i * features, features);
            y[i] = values[i * k + features];
        }
        return new Dataset(x, y, inputShape ?? [features], more ? $"csv:{path}, its first {rows} rows" : $"csv:{path}");
    }

    /// <summary>The file's lines (\n or \r\n), each at most <see cref="MaxLineLength"/> characters.</summary>
    private static IEnumerable<string> Lines(string path)
    {
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var buffer = new char[1 << 16];
        var line = new System.Text.StringBuilder();
        int lineNo = 1, read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            int from = 0;
            for (int i = 0; i < read; i++)
            {
                if (buffer[i] != '\n') continue;
                line.Append(buffer, from, i - from);
                from = i + 1;
                if (line.Length > 0 && line[^1] == '\r') line.Length--;
                yield return line.ToString();
                line.Clear();
                lineNo++;
            }
            line.Append(buffer, from, read - from);
            if (line.Length > MaxLineLength)
                throw new DataFormatException(path, lineNo, null, $"line is longer than {MaxLineLength} characters: not a CSV file of numbers");
        }
        if (line.Length > 0 && line[^1] == '\r') line.Length--;
        if (line.Length > 0) yield return line.ToString();
    }

    private static bool IsNumber(string field) =>
        double.TryParse(field.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static double ParseField(string path, int line, int column, string field, bool firstLine)
    {
        string f = field.Trim();
        if (!double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            throw new DataFormatException(path, line, column, f.Length == 0
                ? "empty field"
                : $"field \"{f}\" is not a number" + (firstLine ? " (a header line must be non-numeric in every field)" : ""));
        if (!double.IsFinite(v))
            throw new DataFormatException(path, line, column, $"field \"{f}\" is not finite");
        return v;
    }
}
