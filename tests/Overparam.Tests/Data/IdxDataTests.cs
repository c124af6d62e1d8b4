using System.IO.Compression;
using Overparam.Data;

namespace Overparam.Tests.Data;

public sealed class IdxDataTests : IDisposable
{
    private readonly TempDirectory dir = new();

    // 7 images of 2×3 pixels; image k has pixel (r, c) = 10·k + 3·r + c + 1 (as a byte).
    private static readonly byte[] Labels = [3, 3, 3, 1, 1, 7, 1];

    public void Dispose() => dir.Dispose();

    private static byte[] ImagesFile(uint magic = 0x00000803, int count = 7, int rows = 2, int cols = 3, int? pixels = null)
    {
        var bytes = new List<byte>();
        foreach (uint v in new[] { magic, (uint)count, (uint)rows, (uint)cols })
            bytes.AddRange([(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v]);
        int total = pixels ?? count * rows * cols;
        for (int i = 0; i < total; i++)
        {
            int k = i / (rows * cols), rc = i % (rows * cols);
            bytes.Add((byte)(10 * k + 3 * (rc / cols) + rc % cols + 1));
        }
        return bytes.ToArray();
    }

    private static byte[] LabelsFile(byte[] labels, uint magic = 0x00000801) =>
        [0, 0, (byte)(magic >> 8), (byte)magic, 0, 0, 0, (byte)labels.Length, .. labels];

    private static byte[] Gzip(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(raw);
        return ms.ToArray();
    }

    private void WriteFiles(byte[] images, byte[] labels, bool gzip = false,
        string imagesName = "train-images-idx3-ubyte", string labelsName = "train-labels-idx1-ubyte")
    {
        File.WriteAllBytes(dir.File(imagesName + (gzip ? ".gz" : "")), gzip ? Gzip(images) : images);
        File.WriteAllBytes(dir.File(labelsName + (gzip ? ".gz" : "")), gzip ? Gzip(labels) : labels);
    }

    private static double Pixel(int k, int r, int c) => (10 * k + 3 * r + c + 1) / 255.0;

    private static void AssertSamples(Dataset data, int[] images, double[] y)
    {
        Assert.Equal(y, data.Y);
        for (int i = 0; i < images.Length; i++)
            for (int r = 0; r < 2; r++)
                for (int c = 0; c < 3; c++)
                    Assert.Equal(Pixel(images[i], r, c), data.X[i, 3 * r + c], 1e-15);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TakesFirstSamplesOfEachClassInFileOrder(bool gzip)
    {
        WriteFiles(ImagesFile(), LabelsFile(Labels), gzip);
        // Class A = 1 (label −1): images 3, 4. Class B = 3 (label +1): images 0, 1 (image 2 is not needed).
        var data = IdxData.Load(dir.Path, classA: 1, classB: 3, n: 4, IdxImageLayout.Flat);
        AssertSamples(data, [0, 1, 3, 4], [1, 1, -1, -1]);
        Assert.Equal([6], data.InputShape);
        Assert.Contains("classes 1 (-1) vs 3 (+1)", data.Source);
    }

    [Fact]
    public void OddNTakesTheExtraSampleFromClassB()
    {
        WriteFiles(ImagesFile(), LabelsFile(Labels));
        // n = 5: 2 of class 3 (images 0, 1), 3 of class 1 (images 3, 4, 6).
        var data = IdxData.Load(dir.Path, classA: 3, classB: 1, n: 5, IdxImageLayout.Flat);
        AssertSamples(data, [0, 1, 3, 4, 6], [-1, -1, 1, 1, 1]);
    }

    [Theory]
    [InlineData(IdxImageLayout.Flat, new[] { 6 })]
    [InlineData(IdxImageLayout.ImageAsPositions, new[] { 1, 6 })]
    [InlineData(IdxImageLayout.RowsAsChannels, new[] { 2, 3 })]
    public void LayoutsSetTheInputShapeOverRowMajorPixels(IdxImageLayout layout, int[] shape)
    {
        WriteFiles(ImagesFile(), LabelsFile(Labels));
        var data = IdxData.Load(dir.Path, 7, 1, 2, layout);
        Assert.Equal(shape, data.InputShape);
        AssertSamples(data, [3, 5], [1, -1]);
    }

    [Fact]
    public void AcceptsDottedFileNames()
    {
        WriteFiles(ImagesFile(), LabelsFile(Labels), imagesName: "train-images.idx3-ubyte", labelsName: "train-labels.idx1-ubyte");
        AssertSamples(IdxData.Load(dir.Path, 3, 7, 2, IdxImageLayout.Flat), [0, 5], [-1, 1]);
    }

    private DataFormatException Fails(int classA = 1, int classB = 3, int n = 4) =>
        Assert.Throws<DataFormatException>(() => IdxData.Load(dir.Path, classA, classB, n, IdxImageLayout.Flat));

    [Fact]
    public void MissingFiles()
    {
        var e = Fails();
        Assert.StartsWith($"{dir.File("train-images-idx3-ubyte")}: file not found (looked for train-images-idx3-ubyte, train-images-idx3-ubyte.gz", e.Message);
        File.WriteAllBytes(dir.File("train-images-idx3-ubyte"), ImagesFile());
        Assert.StartsWith($"{dir.File("train-labels-idx1-ubyte")}: file not found", Fails().Message);
    }

    [Fact]
    public void BadMagic()
    {
        WriteFiles(ImagesFile(), LabelsFile(Labels, magic: 0x0803));
        Assert.Equal($"{dir.File("train-labels-idx1-ubyte")}: bad magic number 0x00000803, expected 0x00000801 for an IDX label file", Fails().Message);
        WriteFiles(ImagesFile(magic: 0x0801), LabelsFile(Labels));
        Assert.Equal($"{dir.File("train-images-idx3-ubyte")}: bad magic number 0x00000801, expected 0x00000803 for an IDX image file", Fails().Message);
    }

    [Fact]
    public void ClassMissingOrTooRare()
    {
        WriteFiles(ImagesFile(), LabelsFile(Labels));
        string labels = dir.File("train-labels-idx1-ubyte");
        Assert.Equal($"{labels}: class 9 does not occur in the labels", Fails(classA: 9).Message);
        Assert.Equal($"{labels}: class 7 has only 1 sample, need 2", Fails(classA: 3, classB: 7, n: 4).Message);
    }

    [Fact]
    public void CountMismatchAndTruncation()
    {
        WriteFiles(ImagesFile(count: 6), LabelsFile(Labels));
        Assert.Equal($"{dir.File("train-images-idx3-ubyte")}: 6 images but train-labels-idx1-ubyte has 7 labels", Fails().Message);

        WriteFiles(ImagesFile(pixels: 20), LabelsFile(Labels), gzip: true);
        File.Delete(dir.File("train-images-idx3-ubyte"));
        File.Delete(dir.File("train-labels-idx1-ubyte"));
        Assert.Equal($"{dir.File("train-images-idx3-ubyte.gz")}: file ends early or is corrupt: the header announces 7 images of 2x3, 58 bytes in all, and the gzip trailer gives an uncompressed size of 36", Fails().Message);
    }

    private void WriteTestFiles(byte[] images, byte[] labels, bool gzip = false) =>
        WriteFiles(images, labels, gzip, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    [Fact]
    public void TestPartReadsTheT10kFiles()
    {
        WriteFiles(ImagesFile(), LabelsFile(Labels));
        Assert.False(IdxData.HasPart(dir.Path, IdxPart.Test));
        WriteTestFiles(ImagesFile(count: 4), LabelsFile([1, 3, 3, 1]), gzip: true);
        Assert.True(IdxData.HasPart(dir.Path, IdxPart.Test));
        var data = IdxData.Load(dir.Path, classA: 1, classB: 3, n: 4, IdxImageLayout.Flat, IdxPart.Test);
        AssertSamples(data, [0, 1, 2, 3], [-1, 1, 1, -1]);
        Assert.Contains("t10k files", data.Source);
    }

    [Fact]
    public void AllClassesTakeTheFirstNInFileOrderAsClassIds()
    {
        WriteFiles(ImagesFile(), LabelsFile(Labels));
        Assert.Equal(8, IdxData.ClassCount(dir.Path));
        var data = IdxData.LoadClasses(dir.Path, 5, classes: 8);
        AssertSamples(data, [0, 1, 2, 3, 4], [3, 3, 3, 1, 1]);
        AssertSamples(IdxData.LoadClasses(dir.Path, null, classes: 8), [0, 1, 2, 3, 4, 5, 6], [3, 3, 3, 1, 1, 7, 1]);

        string labels = dir.File("train-labels-idx1-ubyte");
        var e = Assert.Throws<DataFormatException>(() => IdxData.LoadClasses(dir.Path, 6, classes: 7));
        Assert.Equal($"{labels}:6: label 7 is not a class id 0…6", e.Message);
        e = Assert.Throws<DataFormatException>(() => IdxData.LoadClasses(dir.Path, 8, classes: 8));
        Assert.Equal($"{labels}: has 7 samples, 8 are needed", e.Message);
    }

    [Fact]
    public void TrailingBytesAndCutRawFiles()
    {
        WriteFiles([.. ImagesFile(), 0], LabelsFile(Labels));
        Assert.Equal($"{dir.File("train-images-idx3-ubyte")}: has data after the 7 images of 2x3 that its header announces", Fails().Message);
        WriteFiles(ImagesFile(), LabelsFile(Labels)[..^2]);
        Assert.Equal($"{dir.File("train-labels-idx1-ubyte")}: file ends early: the header announces 7 labels, 15 bytes in all, and the file has 13", Fails().Message);
        // The samples needed (n = 2: images 0 and 3) come before the cut, but the whole file is checked.
        WriteFiles(ImagesFile()[..^1], LabelsFile(Labels));
        Assert.Equal($"{dir.File("train-images-idx3-ubyte")}: file ends early: the header announces 7 images of 2x3, 58 bytes in all, and the file has 57", Fails(n: 2).Message);
    }

    [Theory]
    [InlineData(1)]    // in the trailer's size field: GZipStream alone reads all data without complaint
    [InlineData(4)]    // the whole size field
    [InlineData(8)]    // the whole trailer
    [InlineData(20)]   // into the compressed data
    public void TruncatedGzipIsAnError(int cut)
    {
        var labels = LabelsFile(Labels);
        File.WriteAllBytes(dir.File("train-labels-idx1-ubyte.gz"), Gzip(labels));
        File.WriteAllBytes(dir.File("train-images-idx3-ubyte.gz"), Gzip(ImagesFile())[..^cut]);
        var e = Fails(n: 2);
        Assert.StartsWith($"{dir.File("train-images-idx3-ubyte.gz")}: ", e.Message);
        Assert.Matches("file ends early|truncated or corrupt|corrupt gzip", e.Message);
    }

    [Fact]
    public void GzipWithABadChecksumIsAnError()
    {
        var gz = Gzip(LabelsFile(Labels));
        gz[^8] ^= 0xFF;   // the CRC-32 of the trailer
        File.WriteAllBytes(dir.File("train-labels-idx1-ubyte.gz"), gz);
        File.WriteAllBytes(dir.File("train-images-idx3-ubyte"), ImagesFile());
        Assert.StartsWith($"{dir.File("train-labels-idx1-ubyte.gz")}: corrupt gzip data", Fails().Message);
    }

    [Fact]
    public void ReadsDebiansFashionMnistWhenInstalled()
    {
        if (!Directory.Exists(DataSpec.FashionMnistDirectory)) return; // package dataset-fashion-mnist not installed
        var data = IdxData.Load(DataSpec.FashionMnistDirectory, 0, 9, 10, IdxImageLayout.RowsAsChannels);
        Assert.Equal([28, 28], data.InputShape);
        Assert.Equal(5, data.Y.Count(v => v == -1));
        Assert.Equal(5, data.Y.Count(v => v == 1));
        Assert.All(data.X.Data, v => Assert.InRange(v, 0.0, 1.0));
        // Fashion-MNIST's first training label is 9 (ankle boot); the first sample taken is that image.
        Assert.Equal(1.0, data.Y[0]);
        Assert.Empty(data.Normalized().Check());
    }
}
