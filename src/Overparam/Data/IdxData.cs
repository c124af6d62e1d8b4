using System.Buffers.Binary;
using System.IO.Compression;
using Overparam.Numerics;

namespace Overparam.Data;

/// <summary>
/// Reads a two-class subset of an MNIST-style training set in IDX format (LeCun's format, also Fashion-MNIST):
/// images are big-endian magic 0x00000803, then count, rows, cols (u32, big-endian), then count·rows·cols bytes;
/// labels are magic 0x00000801, then count, then count bytes. Files may be gzip-compressed (recognized by their
/// first two bytes 1f 8b, whatever the name). Debian's package dataset-fashion-mnist installs
/// train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz in /usr/share/datasets/fashion-mnist.
/// </summary>
public static class IdxData
{
    private const uint ImagesMagic = 0x00000803, LabelsMagic = 0x00000801;

    private static readonly string[] ImageNames = ["train-images-idx3-ubyte", "train-images.idx3-ubyte"];
    private static readonly string[] LabelNames = ["train-labels-idx1-ubyte", "train-labels.idx1-ubyte"];

    /// <summary>
    /// Takes n samples from the training files in <paramref name="dir"/>: the first ⌊n/2⌋ images of class
    /// <paramref name="classA"/> (label −1) and the first n − ⌊n/2⌋ of class <paramref name="classB"/> (label +1),
    /// kept in the order in which they appear in the file (so the two classes are interleaved as in the file,
    /// not one block after the other). Pixels are scaled from 0..255 to [0, 1]; inputs are not normalized
    /// (call <see cref="Dataset.Normalized"/>).
    /// Errors are <see cref="DataFormatException"/>s naming the file: files missing, bad magic, truncated files,
    /// image and label counts that differ, a class that does not occur, or too few samples of a class.
    /// </summary>
    public static Dataset Load(string dir, int classA, int classB, int n, IdxImageLayout layout = IdxImageLayout.Flat)
    {
        if (n < 2) throw new ArgumentOutOfRangeException(nameof(n), $"n = {n}: need at least 2 samples");
        if (classA == classB) throw new ArgumentException($"the two classes must differ (both are {classA})", nameof(classB));
        if (!Directory.Exists(dir)) throw new DataFormatException(dir, "directory not found");
        string imagesPath = Find(dir, ImageNames), labelsPath = Find(dir, LabelNames);

        // Labels first: they are small and tell which images to keep.
        byte[] labels;
        using (var s = Open(labelsPath))
        {
            uint[] header = ReadHeader(s, labelsPath, LabelsMagic, 1, "label");
            labels = ReadExactly(s, labelsPath, checked((int)header[0]), "labels");
        }

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

        using var images = Open(imagesPath);
        uint[] dims = ReadHeader(images, imagesPath, ImagesMagic, 3, "image");
        if (dims[0] != labels.Length)
            throw new DataFormatException(imagesPath,
                $"{dims[0]} images but {Path.GetFileName(labelsPath)} has {labels.Length} labels");
        int rows = checked((int)dims[1]), cols = checked((int)dims[2]), pixels = checked(rows * cols);
        if (pixels == 0) throw new DataFormatException(imagesPath, $"images are {rows}x{cols}");

        // Stream through the images up to the last one needed (the classes are usually found early).
        var x = new Matrix<double>(n, pixels);
        var y = new double[n];
        var buffer = new byte[pixels];
        int next = 0;
        for (int index = 0; next < chosen.Count; index++)
        {
            ReadExactly(images, imagesPath, buffer, $"image {index + 1}");
            if (chosen[next] != index) continue;
            var row = x.Row(next);
            for (int j = 0; j < pixels; j++) row[j] = buffer[j] / 255.0;
            y[next] = labels[index] == classA ? -1.0 : 1.0;
            next++;
        }

        int[] shape = layout switch
        {
            IdxImageLayout.Flat => [pixels],
            IdxImageLayout.ImageAsPositions => [1, pixels],
            IdxImageLayout.RowsAsChannels => [rows, cols],
            _ => throw new ArgumentOutOfRangeException(nameof(layout)),
        };
        return new Dataset(x, y, shape, $"idx:{dir} classes {classA} (-1) vs {classB} (+1), n={n}");
    }

    private static void CheckClass(string labelsPath, int cls, int total, int need)
    {
        if (total == 0) throw new DataFormatException(labelsPath, $"class {cls} does not occur in the labels");
        if (total < need) throw new DataFormatException(labelsPath, $"class {cls} has only {total} sample{(total == 1 ? "" : "s")}, need {need}");
    }

    private static string Find(string dir, string[] names)
    {
        foreach (string name in names)
            foreach (string candidate in new[] { name, name + ".gz" })
            {
                string path = Path.Combine(dir, candidate);
                if (File.Exists(path)) return path;
            }
        throw new DataFormatException(Path.Combine(dir, names[0]),
            $"file not found (looked for {string.Join(", ", names.SelectMany(nm => new[] { nm, nm + ".gz" }))} in {dir})");
    }

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
