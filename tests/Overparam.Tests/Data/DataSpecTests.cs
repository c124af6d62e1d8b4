using Overparam.Data;

namespace Overparam.Tests.Data;

public class DataSpecTests
{
    [Theory]
    [InlineData("synthetic", DataKind.Synthetic, null)]
    [InlineData("csv:data/x.csv", DataKind.Csv, "data/x.csv")]
    [InlineData("csv:C:/d/x.csv", DataKind.Csv, "C:/d/x.csv")]
    [InlineData("idx:/usr/share/datasets/fashion-mnist", DataKind.Idx, "/usr/share/datasets/fashion-mnist")]
    [InlineData("fashion-mnist", DataKind.Idx, DataSpec.FashionMnistDirectory)]
    [InlineData("mixture", DataKind.Mixture, null)]
    [InlineData("teacher-classes", DataKind.TeacherClasses, null)]
    public void ParsesKnownForms(string text, DataKind kind, string? path)
    {
        var spec = DataSpec.Parse(text);
        Assert.Equal(new DataSpec(kind, path), spec);
    }

    [Fact]
    public void RoundTripsThroughToString()
    {
        foreach (string form in new[] { "synthetic", "csv:a.csv", "idx:/d", "mixture", "teacher-classes" })
            Assert.Equal(form, DataSpec.Parse(form).ToString());
    }

    [Theory]
    [InlineData("mnist")]
    [InlineData("tsv:a.tsv")]
    [InlineData("")]
    [InlineData(":a.csv")]
    public void RejectsUnknownForms(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => DataSpec.Parse(text));
        Assert.Contains($"--data \"{text}\" is not understood: expected synthetic, csv:PATH, idx:DIR, fashion-mnist, mixture or teacher-classes", e.Message);
    }

    [Fact]
    public void RejectsMissingPath()
    {
        var e = Assert.Throws<ArgumentException>(() => DataSpec.Parse("csv:"));
        Assert.Contains("missing file after 'csv:'", e.Message);
    }
}
