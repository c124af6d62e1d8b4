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
/// <item>No NaN or infinite values, no input row of all zeros (it could not be normalized), at least 2 samples.</item>
/// <item>With C ≥ 2 classes, every label is a class id: an integer 0 … C−1.</item>
/// </list>
/// Problems are <see cref="DataFormatException"/>s naming the file, the 1-based line and, for a bad field, the 1-based column.
/// The inputs are returned as read, not normalized: call <see cref="Dataset.Normalized"/>.
/// </summary>
public static class CsvData
{
    /// <summary>
    /// Loads <paramref name="path"/>; <paramref name="inputShape"/> is [d] or [d0, p] (null: [number of features]);
    /// <paramref name="classes"/> is 0 for real labels, C ≥ 2 for class ids.
    /// </summary>
    public static Dataset Load(string path, int[]? inputShape = null, int classes = 0)
    {
        if (inputShape is not null && (inputShape.Length == 0 || inputShape.Any(s => s <= 0)))
            throw new ArgumentException($"input shape [{string.Join(", ", inputShape)}] must have positive dimensions", nameof(inputShape));
        if (!File.Exists(path))
            throw new DataFormatException(path, Directory.Exists(path) ? "is a directory, expected a CSV file" : "file not found");

        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, $"cannot read: {e.Message}", e);
        }

        int last = lines.Length - 1;
        while (last >= 0 && string.IsNullOrWhiteSpace(lines[last])) last--;

        int? expected = inputShape is null ? null : checked(inputShape.Aggregate(1, (a, b) => a * b) + 1);
        int? firstDataLine = null;
        var values = new List<double>();
        int rows = 0;
        for (int li = 0; li <= last; li++)
        {
            int lineNo = li + 1;
            string line = lines[li];
            if (string.IsNullOrWhiteSpace(line))
                throw new DataFormatException(path, lineNo, null, "blank line (only trailing blank lines are allowed)");
            string[] fields = line.Split(',');
            if (li == 0 && fields.All(f => !IsNumber(f))) continue; // header

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
            for (int c = 0; c < fields.Length; c++)
            {
                double v = ParseField(path, lineNo, c + 1, fields[c], li == 0);
                if (c < fields.Length - 1 && v != 0) allZero = false;
                if (c == fields.Length - 1 && classes >= 2 && !(v >= 0 && v < classes && v == Math.Floor(v)))
                    throw new DataFormatException(path, lineNo, c + 1, $"label \"{fields[c].Trim()}\" is not a class id 0…{classes - 1}");
                values.Add(v);
            }
            if (allZero)
                throw new DataFormatException(path, lineNo, null, "input row is all zeros; it cannot be normalized");
            rows++;
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
        return new Dataset(x, y, inputShape ?? [features], $"csv:{path}");
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
