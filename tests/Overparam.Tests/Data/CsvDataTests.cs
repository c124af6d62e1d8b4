using Overparam.Data;

namespace Overparam.Tests.Data;

public sealed class CsvDataTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void ReadsFeaturesAndLabelSkippingHeaderAndTrailingBlankLines()
    {
        string path = dir.Write("data.csv", "x1, x2 ,label\n1,2,3\n 4.5 ,-6e-1,7\n-0.25,1E2,-1\n\n  \n");
        var data = CsvData.Load(path, null);
        Assert.Equal(3, data.Count);
        Assert.Equal([1, 2, 4.5, -0.6, -0.25, 100], data.X.Data);
        Assert.Equal([3.0, 7, -1], data.Y);
        Assert.Equal([2], data.InputShape);
        Assert.Equal($"csv:{path}", data.Source);
    }

    [Fact]
    public void ReadsWithoutHeaderAndWithCrLf()
    {
        string path = dir.Write("d.csv", "1,0,0.5\r\n0,1,-0.5\r\n");
        var data = CsvData.Load(path, null);
        Assert.Equal([1.0, 0, 0, 1], data.X.Data);
        Assert.Equal([0.5, -0.5], data.Y);
    }

    [Fact]
    public void ClassIdLabelsAreChecked()
    {
        string ok = dir.Write("ids.csv", "1,0,2\n0,1,0\n");
        Assert.Equal([2.0, 0], CsvData.Load(ok, null, classes: 3).Y);
        string fraction = dir.Write("fraction.csv", "1,0,1\n0,1,1.5\n");
        Assert.Equal($"{fraction}:2:3: label \"1.5\" is not a class id 0…2",
            Assert.Throws<DataFormatException>(() => CsvData.Load(fraction, null, classes: 3)).Message);
        string high = dir.Write("high.csv", "1,0,3\n0,1,1\n");
        Assert.Equal($"{high}:1:3: label \"3\" is not a class id 0…2",
            Assert.Throws<DataFormatException>(() => CsvData.Load(high, null, classes: 3)).Message);
        Assert.Equal([3.0, 1], CsvData.Load(high, null).Y);   // real labels: anything finite
    }

    [Fact]
    public void InputShapeIsKept()
    {
        string path = dir.Write("conv.csv", "1,2,3,4,9\n5,6,7,8,10\n");
        var data = CsvData.Load(path, [2, 2]);
        Assert.Equal([2, 2], data.InputShape);
        Assert.Equal([1.0, 2, 3, 4, 5, 6, 7, 8], data.X.Data);
        Assert.Equal([9.0, 10], data.Y);
    }

    private DataFormatException Fails(string content, int[]? shape = null, string name = "data.csv")
    {
        string path = dir.Write(name, content);
        return Assert.Throws<DataFormatException>(() => CsvData.Load(path, shape));
    }

    private void AssertAt(DataFormatException e, int? line, int? column, string problem)
    {
        string path = dir.File("data.csv");
        Assert.Equal(path, e.File);
        Assert.Equal(line, e.Line);
        Assert.Equal(column, e.Column);
        string where = path + (line is null ? "" : $":{line}") + (column is null ? "" : $":{column}");
        Assert.Equal($"{where}: {problem}", e.Message);
    }

    [Fact]
    public void MissingFile()
    {
        string path = dir.File("nope.csv");
        var e = Assert.Throws<DataFormatException>(() => CsvData.Load(path, null));
        Assert.Equal($"{path}: file not found", e.Message);
        Assert.Null(e.Line);
    }

    [Fact]
    public void RaggedRow() =>
        AssertAt(Fails("a,b,y\n1,2,3\n4,5,6\n7,8\n"), 4, null, "row has 2 fields, expected 3 (as on line 2)");

    [Fact]
    public void NonNumericField() =>
        AssertAt(Fails("1,2,3\n4,abc,6\n"), 2, 2, "field \"abc\" is not a number");

    [Fact]
    public void PartlyNumericFirstLineIsNotAHeader() =>
        AssertAt(Fails("x,2,y\n4,5,6\n"), 1, 1, "field \"x\" is not a number (a header line must be non-numeric in every field)");

    [Fact]
    public void EmptyField() =>
        AssertAt(Fails("1,2,3\n4,,6\n"), 2, 2, "empty field");

    [Theory]
    [InlineData("NaN", 1)]
    [InlineData("Infinity", 2)]
    [InlineData("-1e400", 3)]
    public void NonFiniteField(string field, int column)
    {
        string[] row = ["1", "2", "3"];
        row[column - 1] = field;
        AssertAt(Fails($"1,2,3\n1,1,1\n{string.Join(",", row)}\n"), 3, column, $"field \"{field}\" is not finite");
    }

    [Fact]
    public void AllZeroInputRow() =>
        AssertAt(Fails("1,2,3\n0,0.0,5\n"), 2, null, "input row is all zeros; it cannot be normalized");

    [Fact]
    public void TooFewSamples()
    {
        AssertAt(Fails("a,b,y\n1,2,3\n\n"), null, null, "need at least 2 samples, found 1");
        AssertAt(Fails("a,b,y\n"), null, null, "need at least 2 samples, found 0");
    }

    [Fact]
    public void LabelOnlyRow() =>
        AssertAt(Fails("1\n2\n"), 1, null, "row has 1 field; need at least one feature and a label");

    [Fact]
    public void BlankLineInTheMiddle() =>
        AssertAt(Fails("1,2,3\n\n4,5,6\n"), 2, null, "blank line (only trailing blank lines are allowed)");

    [Fact]
    public void InputShapeMismatch()
    {
        string row = string.Join(",", Enumerable.Range(1, 11));
        AssertAt(Fails($"{row}\n{row}\n", [3, 4]), 1, null, "row has 10 features, --input-shape 3x4 needs 12");
    }
}
