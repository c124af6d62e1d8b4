using System.IO.Compression;
using Overparam.Architectures;
using Overparam.Data;
using Overparam.Experiments;

namespace Overparam.Tests.Data;

/// <summary>
/// Debian's dataset-fashion-mnist (60 000 training and 10 000 test images), checked against an independent decoding of
/// the gzipped IDX files. Each test returns early when the package is not installed.
/// </summary>
public sealed class FashionMnistTests
{
    private static readonly string Dir = DataSpec.FashionMnistDirectory;
    private static bool Installed => File.Exists(Path.Combine(Dir, "t10k-labels-idx1-ubyte.gz"));

    /// <summary>The bytes after the header of a gzipped IDX file (8 header bytes for labels, 16 for images).</summary>
    private static byte[] Records(string name, int header)
    {
        using var gz = new GZipStream(File.OpenRead(Path.Combine(Dir, name)), CompressionMode.Decompress);
        using var all = new MemoryStream();
        gz.CopyTo(all);
        return all.ToArray()[header..];
    }

    private static void AssertImage(byte[] images, int index, Dataset data, int row)
    {
        for (int j = 0; j < 784; j++) Assert.Equal(images[784 * index + j] / 255.0, data.X[row, j]);
    }

    [Fact]
    public void TenClassesTakeTheFirstNOfEachFileInFileOrder()
    {
        if (!Installed) return;
        var spec = new RunSpec { Data = "fashion-mnist", Classes = ClassSelection.All, N = 300, NTest = 200, RawInputs = true };
        var data = RunData.LoadSplit(spec, Architecture.Parse("fc"), out _);
        Assert.Equal(10, data.Classes);
        Assert.Equal(300, data.Train.Count);
        Assert.Equal(200, data.Test!.Count);
        Assert.All(data.Train.Y.Concat(data.Test.Y), y => Assert.Contains(y, Enumerable.Range(0, 10).Select(c => (double)c)));

        var trainLabels = Records("train-labels-idx1-ubyte.gz", 8);
        var testLabels = Records("t10k-labels-idx1-ubyte.gz", 8);
        Assert.Equal(trainLabels.Take(300).Select(l => (double)l), data.Train.Y);
        Assert.Equal(testLabels.Take(200).Select(l => (double)l), data.Test.Y);
        Assert.Equal([9.0, 2, 1, 1, 6], data.Test.Y[..5]);   // t10k starts: ankle boot, pullover, trouser, trouser, shirt

        var trainImages = Records("train-images-idx3-ubyte.gz", 16);
        var testImages = Records("t10k-images-idx3-ubyte.gz", 16);
        foreach (int i in new[] { 0, 1, 150, 299 }) AssertImage(trainImages, i, data.Train, i);
        foreach (int i in new[] { 0, 1, 199 }) AssertImage(testImages, i, data.Test, i);
    }

    [Fact]
    public void AllClassesDefaultToTheWholeTestFile()
    {
        if (!Installed) return;
        var spec = new RunSpec { Data = "fashion-mnist", Classes = ClassSelection.All, N = 10, Standardize = true };
        var data = RunData.LoadSplit(spec, Architecture.Parse("fc"), out _);
        Assert.Equal(10_000, data.Test!.Count);
        Assert.Contains("t10k files, first 10000 samples", data.Description);
        Assert.Contains("standardized", data.Description);
    }

    [Fact]
    public void TheBinaryTaskIsUnchanged()
    {
        if (!Installed) return;
        var spec = new RunSpec { Data = "fashion-mnist", Classes = ClassSelection.Binary(0, 9), N = 64 };
        var data = RunData.LoadSplit(spec, Architecture.Parse("fc"), out _);
        Assert.Null(data.Test);
        Assert.Equal(0, data.Classes);
        Assert.Equal(RunData.Load(spec, Architecture.Parse("fc"), out _).X.Data, data.Train.X.Data);

        // Today's rule: the first 32 images of class 0 (label −1) and of class 9 (+1), in file order, pixels / 255,
        // each input scaled to unit norm.
        var labels = Records("train-labels-idx1-ubyte.gz", 8);
        var chosen = Enumerable.Range(0, labels.Length).Where(i => labels[i] == 0).Take(32)
            .Concat(Enumerable.Range(0, labels.Length).Where(i => labels[i] == 9).Take(32)).Order().ToArray();
        Assert.Equal(chosen.Select(i => labels[i] == 0 ? -1.0 : 1.0), data.Train.Y);
        var images = Records("train-images-idx3-ubyte.gz", 16);
        for (int r = 0; r < chosen.Length; r++)
        {
            var pixels = images.AsSpan(784 * chosen[r], 784).ToArray().Select(b => b / 255.0).ToArray();
            double norm = Math.Sqrt(pixels.Sum(v => v * v));
            for (int j = 0; j < 784; j++) Assert.Equal(pixels[j] / norm, data.Train.X[r, j], 1e-15);
        }
        Assert.Equal($"idx:{Dir} classes 0 (-1) vs 9 (+1), n=64", data.Train.Source);
    }

    [Fact]
    public void BinaryTestSetComesFromTheT10kFiles()
    {
        if (!Installed) return;
        var spec = new RunSpec { Data = "fashion-mnist", Classes = ClassSelection.Binary(0, 9), N = 20, NTest = 10, ClassesCount = 2 };
        var data = RunData.LoadSplit(spec, Architecture.Parse("fc"), out _);
        Assert.Equal(2, data.Classes);
        var labels = Records("t10k-labels-idx1-ubyte.gz", 8);
        var chosen = Enumerable.Range(0, labels.Length).Where(i => labels[i] == 0).Take(5)
            .Concat(Enumerable.Range(0, labels.Length).Where(i => labels[i] == 9).Take(5)).Order();
        Assert.Equal(chosen.Select(i => labels[i] == 0 ? 0.0 : 1.0), data.Test!.Y);
        Assert.Equal(10, data.Train.Y.Count(y => y == 0));
    }
}
