using System.Buffers.Binary;
using System.IO.Compression;
using Overparam.Numerics;

namespace Overparam.Data;

/// <summary>
/// Reads MNIST-style data sets in IDX format (LeCun's format, also Fashion-MNIST): images are big-endian magic
/// 0x00000803, then count, rows, cols (u32, big-endian), then count·rows·cols bytes; labels are magic 0x00000801,
/// then count, then count bytes. A directory holds a training pair (train-images-idx3-ubyte, train-labels-idx1-ubyte)
/// and may hold a test pair (t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte); the dotted names train-images.idx3-ubyte
/// and so on are accepted too (<see cref="IdxPart"/>). Files may be gzip-compressed (recognized by their first two
/// bytes 1f 8b, whatever the name; one gzip member per file). Debian's package dataset-fashion-mnist installs all four,
/// gzipped, in /usr/share/datasets/fashion-mnist.
/// <para>
/// Samples are taken in file order (record 1, 2, …), never shuffled. Every file is read to its end and checked: the
/// header's count against the length of the data (a truncated file, or one with bytes after the last record, is an
/// error), the gzip checksum and, from the gzip trailer, the uncompressed size (.NET's GZipStream alone does not notice
/// a file cut short at a deflate block boundary or in its trailer).
/// </para>
/// Pixels are scaled from 0..255 to [0, 1]; inputs are not normalized (call <see cref="Dataset.Normalized"/>).
/// Errors are <see cref="DataFormatException"/>s naming the file (and the 1-based record for a bad label): files
/// missing, bad magic, truncated or corrupt files, image and label counts that differ, too few samples.
/// </summary>
public static class IdxData
{
    private const uint ImagesMagic = 0x00000803, LabelsMagic = 0x00000801;

    /// <summary>
    /// The binary task: n samples of <paramref name="part"/>'s files in <paramref name="dir"/>, the first ⌊n/2⌋ images of
    /// class <paramref name="classA"/> (label −1) and the first n − ⌊n/2⌋ of class <paramref name="classB"/> (label +1),
    /// kept in the order in which they appear in the file (so the two classes are interleaved as in the file, not one
    /// block after the other). Also an error: a class that does not occur, or too few samples of a class.
    /// </summary>
    public static Dataset Load(string dir, int classA, int classB, int n, IdxImageLayout layout = IdxImageLayout.Flat, IdxPart part = IdxPart.Train)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), $"n = {n}: need at least 1 sample");
        if (classA == classB) throw new ArgumentException($"the two classes must differ (both are {classA})", nameof(classB));
        var (imagesPath, labelsPath) = Files(dir, part);
        var labels = ReadLabels(labelsPath);

        int needA = n / 2, needB = n - n / 2;
        var chosen = new List<int>(n);
        int haveA = 0, haveB = 0, totalA = 0, totalB = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] == classA) { totalA++; if (haveA < needA) { haveA++; chosen.Add(i); } }
            else if (labels[i] == classB) { totalB++; if (haveB < needB) { haveB++; chosen.Add(i); } }
        }
        CheckClass(labelsPath, classA, totalA, needA);
        CheckClass(labelsPath, classB, totalB, needB);

        var (x, rows, cols) = ReadImages(imagesPath, labelsPath, labels.Length, chosen);
        var y = chosen.Select(i => labels[i] == classA ? -1.0 : 1.0).ToArray();
        string files = part == IdxPart.Train ? "" : $" {Prefix(part)} files,";
        return new Dataset(x, y, Shape(layout, rows, cols), $"idx:{dir}{files} classes {classA} (-1) vs {classB} (+1), n={n}");
    }

    /// <summary>
    /// All classes: the first <paramref name="n"/> samples of <paramref name="part"/>'s files (null: all of them), labels
    /// kept as class ids. Also an error: a file with fewer than n samples, a label that is not below <paramref name="classes"/>.
    /// </summary>
    public static Dataset LoadClasses(string dir, int? n, int classes, IdxImageLayout layout = IdxImageLayout.Flat, IdxPart part = IdxPart.Train)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), $"n = {n}: need at least 1 sample");
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), $"{classes} classes: need at least 2");
        var (imagesPath, labelsPath) = Files(dir, part);
        var labels = ReadLabels(labelsPath);
        int count = n ?? labels.Length;
        if (labels.Length < count || count == 0)
            throw new DataFormatException(labelsPath, $"has {labels.Length} sample{(labels.Length == 1 ? "" : "s")}, {Math.Max(count, 1)} are needed");
        for (int i = 0; i < count; i++)
            if (labels[i] >= classes)
                throw new DataFormatException(labelsPath, i + 1, null, $"label {labels[i]} is not a class id 0…{classes - 1}");

        var (x, rows, cols) = ReadImages(imagesPath, labelsPath, labels.Length, Enumerable.Range(0, count).ToList());
        var y = labels.Take(count).Select(l => (double)l).ToArray();
        return new Dataset(x, y, Shape(layout, rows, cols), $"idx:{dir} {Prefix(part)} files, first {count} samples, class ids 0…{classes - 1}");
    }

    /// <summary>1 + the largest label in <paramref name="part"/>'s label file (10 for Fashion-MNIST).</summary>
    public static int ClassCount(string dir, IdxPart part = IdxPart.Train)
    {
        string path = Files(dir, part).Labels;
        var labels = ReadLabels(path);
        if (labels.Length == 0) throw new DataFormatException(path, "has no labels");
        return labels.Max() + 1;
    }

    /// <summary>Whether <paramref name="dir"/> holds both files of <paramref name="part"/>.</summary>
    public static bool HasPart(string dir, IdxPart part) =>
        TryFind(dir, Names(part, "images", 3)) is not null && TryFind(dir, Names(part, "labels", 1)) is not null;

    /// <summary>The file name prefix of a part: train or t10k.</summary>
    public static string Prefix(IdxPart part) => part == IdxPart.Train ? "train" : "t10k";

    private static void CheckClass(string labelsPath, int cls, int total, int need)
    {
        if (total == 0) throw new DataFormatException(labelsPath, $"class {cls} does not occur in the labels");
        if (total < need) throw new DataFormatException(labelsPath, $"class {cls} has only {total} sample{(total == 1 ? "" : "s")}, need {need}");
    }

    private static (string Images, string Labels) Files(string dir, IdxPart part)
    {
        if (!Directory.Exists(dir)) throw new DataFormatException(dir, "directory not found");
        return (Find(dir, Names(part, "images", 3)), Find(dir, Names(part, "labels", 1)));
    }

    private static byte[] ReadLabels(string path)
    {
        using var s = Open(path);
        uint[] header = ReadHeader(s, path, LabelsMagic, 1, "label");
        CheckDeclaredLength(path, 8L + header[0], $"{header[0]} labels");
        var labels = ReadExactly(s, path, checked((int)header[0]), "labels");
        CheckEnd(s, path, 8L + labels.Length, $"{labels.Length} labels");
        return labels;
    }

    /// <summary>Reads every image of the part's file and keeps those at the ascending 0-based indices <paramref name="chosen"/>.</summary>
    private static (Matrix<double> X, int Rows, int Cols) ReadImages(string path, string labelsPath, int labelCount, List<int> chosen)
    {
        using var images = Open(path);
        uint[] dims = ReadHeader(images, path, ImagesMagic, 3, "image");
        if (dims[0] != labelCount)
            throw new DataFormatException(path, $"{dims[0]} images but {Path.GetFileName(labelsPath)} has {labelCount} labels");
        int count = (int)dims[0], rows = (int)dims[1], cols = (int)dims[2];
        long area = (long)rows * cols;
        if (area == 0) throw new DataFormatException(path, $"images are {rows}x{cols}");
        if (area > Array.MaxLength) throw new DataFormatException(path, $"header gives images of {rows}x{cols} = {area} pixels each: too large (at most {Array.MaxLength})");
        int pixels = (int)area;
        CheckDeclaredLength(path, 16L + count * area, $"{count} images of {rows}x{cols}");

        var x = new Matrix<double>(chosen.Count, pixels);
        var buffer = new byte[pixels];
        int next = 0;
        for (int index = 0; index < count; index++)
        {
            ReadExactly(images, path, buffer, $"image {index + 1}");
            if (next == chosen.Count || chosen[next] != index) continue;
            var row = x.Row(next++);
            for (int j = 0; j < pixels; j++) row[j] = buffer[j] / 255.0;
        }
        CheckEnd(images, path, 16L + (long)count * pixels, $"{count} images of {rows}x{cols}");
        return (x, rows, cols);
    }

    private static int[] Shape(IdxImageLayout layout, int rows, int cols) => layout switch
    {
        IdxImageLayout.Flat => [rows * cols],
        IdxImageLayout.ImageAsPositions => [1, rows * cols],
        IdxImageLayout.RowsAsChannels => [rows, cols],
        _ => throw new ArgumentOutOfRangeException(nameof(layout)),
    };

    private static string[] Names(IdxPart part, string kind, int dims) =>
        [$"{Prefix(part)}-{kind}-idx{dims}-ubyte", $"{Prefix(part)}-{kind}.idx{dims}-ubyte"];

    private static string? TryFind(string dir, string[] names) =>
        names.SelectMany(name => new[] { name, name + ".gz" }).Select(f => Path.Combine(dir, f)).FirstOrDefault(File.Exists);

    private static string Find(string dir, string[] names) => TryFind(dir, names)
        ?? throw new DataFormatException(Path.Combine(dir, names[0]),
            $"file not found (looked for {string.Join(", ", names.SelectMany(nm => new[] { nm, nm + ".gz" }))} in {dir})");

    /// <summary>Opens a file, decompressing on the fly when it starts with the gzip signature 1f 8b.</summary>
    private static Stream Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        int b0 = file.ReadByte(), b1 = file.ReadByte();
        file.Position = 0;
        return b0 == 0x1f && b1 == 0x8b ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    private static uint[] ReadHeader(Stream s, string path, uint magic, int dims, string what)
    {
        var bytes = ReadExactly(s, path, 4 * (1 + dims), "header");
        uint found = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        if (found != magic)
            throw new DataFormatException(path, $"bad magic number 0x{found:X8}, expected 0x{magic:X8} for an IDX {what} file");
        var result = new uint[dims];
        for (int i = 0; i < dims; i++)
        {
            result[i] = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (result[i] > int.MaxValue) throw new DataFormatException(path, $"header dimension {i + 1} is {result[i]}: too large");
        }
        return result;
    }

    /// <summary>
    /// After the last record: the stream must end there (reading on also makes GZipStream check the gzip checksum), and
    /// a gzip file's trailer must give <paramref name="length"/> (mod 2³²) as the uncompressed size.
    /// </summary>
    private static void CheckEnd(Stream s, string path, long length, string what)
    {
        int extra;
        try { extra = s.ReadByte(); }
        catch (InvalidDataException e) { throw new DataFormatException(path, $"corrupt gzip data at the end of the file: {e.Message}", e); }
        if (extra >= 0) throw new DataFormatException(path, $"has data after the {what} that its header announces");
        if (s is not GZipStream gzip) return;

        uint size = GzipTrailerSize((FileStream)gzip.BaseStream);
        if (size != (uint)length)
            throw new DataFormatException(path,
                $"gzip trailer gives an uncompressed size of {size} bytes, the data has {length}: the file is truncated or corrupt");
    }

    /// <summary>
    /// Before anything is allocated for the records: the data length the header declares against the file's length
    /// (uncompressed: not shorter; bytes after the records are found by <see cref="CheckEnd"/>) or the uncompressed size in
    /// the gzip trailer (mod 2³²), so that a header announcing more than the file holds is an error at once.
    /// </summary>
    private static void CheckDeclaredLength(string path, long length, string what)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        int b0 = file.ReadByte(), b1 = file.ReadByte();
        if (!(b0 == 0x1f && b1 == 0x8b))
        {
            if (file.Length < length)
                throw new DataFormatException(path, $"file ends early: the header announces {what}, {length} bytes in all, and the file has {file.Length}");
            return;
        }
        if (file.Length < 18) throw new DataFormatException(path, "gzip file too short: truncated");
        uint size = GzipTrailerSize(file);
        if (size != (uint)length)
            throw new DataFormatException(path,
                $"file ends early or is corrupt: the header announces {what}, {length} bytes in all, and the gzip trailer gives an uncompressed size of {size}");
    }

    /// <summary>ISIZE, the last four bytes of a gzip file: the uncompressed size mod 2³² (RFC 1952).</summary>
    private static uint GzipTrailerSize(FileStream file)
    {
        var trailer = new byte[4];
        file.Position = file.Length - 4;
        file.ReadExactly(trailer);
        return BinaryPrimitives.ReadUInt32LittleEndian(trailer);
    }

    private static byte[] ReadExactly(Stream s, string path, int count, string what)
    {
        var buffer = new byte[count];
        ReadExactly(s, path, buffer, what);
        return buffer;
    }

    private static void ReadExactly(Stream s, string path, byte[] buffer, string what)
    {
        try
        {
            s.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw new DataFormatException(path, $"file ends early, while reading {what}", e);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"corrupt gzip data while reading {what}: {e.Message}", e);
        }
    }
}
