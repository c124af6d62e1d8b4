using Overparam.IO;

namespace Overparam.Tests.Cli;

/// <summary>Every bad input to `overparam train` gives exit code 2, a message that names where the problem is, and no run folder.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class TrainBadInputTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private string Out => tmp.File("run");

    // Small defaults; an option given in `extra` replaces the default (System.CommandLine rejects a repeated option).
    private CliResult Train(params string[] extra)
    {
        var defaults = new[] { ("--width", "8"), ("--depth", "2"), ("--steps", "3"), ("--threads", "1"), ("--out", Out) };
        var args = new List<string> { "train", "--quiet" };
        foreach (var (k, v) in defaults) if (!extra.Contains(k)) args.AddRange([k, v]);
        args.AddRange(extra);
        return CliHarness.Run([.. args]);
    }

    /// <summary>Exit 2, "error: " on stderr containing every fragment, and no run folder at all (validation happens before it is created).</summary>
    private void AssertBadInput(CliResult r, params string[] fragments)
    {
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("error: ", r.Err);
        foreach (var f in fragments) Assert.True(r.Err.Contains(f, StringComparison.Ordinal), $"missing \"{f}\" in:\n{r}");
        Assert.False(Directory.Exists(Out), "the run folder was created for bad input");
        Assert.False(File.Exists(Path.Combine(Out, "summary.json")));
    }

    [Fact]
    public void CsvRaggedRow_NamesFileAndLine()
    {
        var csv = tmp.Write("ragged.csv", "1,2,3,0.5\n4,5,6,1\n7,8,0.1\n");
        AssertBadInput(Train("--data", "csv:" + csv), csv + ":3:", "3 fields, expected 4");
    }

    [Fact]
    public void CsvNonNumericField_NamesFileLineAndColumn()
    {
        var csv = tmp.Write("text.csv", "1,2,3,0.5\n4,abc,6,1\n7,8,9,0.1\n");
        AssertBadInput(Train("--data", "csv:" + csv), csv + ":2:2:", "\"abc\" is not a number");
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    public void CsvNonFiniteField_NamesFileLineAndColumn(string value)
    {
        var csv = tmp.Write("nan.csv", $"1,2,3,0.5\n4,5,6,1\n7,8,{value},0.1\n");
        AssertBadInput(Train("--data", "csv:" + csv), csv + ":3:3:", "not finite");
    }

    [Fact]
    public void CsvNonFiniteLabel_NamesColumn()
    {
        var csv = tmp.Write("nanlabel.csv", "1,2,3,0.5\n4,5,6,NaN\n7,8,9,0.1\n");
        AssertBadInput(Train("--data", "csv:" + csv), csv + ":2:4:", "not finite");
    }

    [Fact]
    public void CsvAllZeroRow_NamesFileAndLine()
    {
        var csv = tmp.Write("zero.csv", "x1,x2,x3,y\n1,2,3,0.5\n0,0,0,1\n7,8,9,0.1\n");
        AssertBadInput(Train("--data", "csv:" + csv), csv + ":3:", "all zeros");
    }

    [Fact]
    public void CsvWithOneRow_IsTooFewSamples()
    {
        var csv = tmp.Write("one.csv", "1,2,3,0.5\n");
        AssertBadInput(Train("--data", "csv:" + csv), csv, "at least 2 samples", "found 1");
    }

    [Fact]
    public void MissingCsvFile()
    {
        var csv = tmp.File("does-not-exist.csv");
        AssertBadInput(Train("--data", "csv:" + csv), csv, "file not found");
    }

    [Fact]
    public void DepthZero() => AssertBadInput(Train("--depth", "0"), "--depth 0", "at least 1");

    [Fact]
    public void UnknownActivation() => AssertBadInput(Train("--activation", "foo"), "--activation foo", "softplus");

    [Fact]
    public void CResOutsideUnitIntervalWithoutOverride() =>
        AssertBadInput(Train("--arch", "resnet", "--c-res", "1.5"), "--c-res 1.5", "--allow-any-c-res");

    [Fact]
    public void CResOutsideUnitIntervalWithOverride_RunsWithAWarning()
    {
        var r = Train("--arch", "resnet", "--c-res", "1.5", "--allow-any-c-res", "--n", "4", "--d", "3");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("outside (0, 1)", r.Err);
    }

    [Fact]
    public void InitTensorOfWrongShape_NamesTensorAndShapes()
    {
        // fc, H = 2, m = 8, d = 16 (default): W1 [8, 16], W2 [8, 8], a [8]; W2 is given as [8, 7].
        var init = tmp.File("bad.safetensors");
        SafeTensors.Write(init,
        [
            Tensor.F64("W1", [8, 16], new double[8 * 16]),
            Tensor.F64("W2", [8, 7], new double[8 * 7]),
            Tensor.F64("a", [8], new double[8]),
        ]);
        AssertBadInput(Train("--init", init), "--init " + init, "W2 has shape [8, 7]", "needs [8, 8]");
    }

    [Fact]
    public void InitWithMissingTensor_NamesIt()
    {
        var init = tmp.File("missing.safetensors");
        SafeTensors.Write(init, [Tensor.F64("W1", [8, 16], new double[8 * 16]), Tensor.F64("W2", [8, 8], new double[64])]);
        AssertBadInput(Train("--init", init), "--init " + init, "a [8] is missing");
    }

    [Fact]
    public void InitWithTheWeightsOfAnotherArchitecture_IsRefused()
    {
        // fc and resnet have the same tensors (W1 [8, 16], W2 [8, 8], a [8]): the run's metadata tells them apart.
        var fc = tmp.File("fc-run");
        var made = CliHarness.Run("train", "--quiet", "--arch", "fc", "--width", "8", "--depth", "2", "--steps", "1", "--threads", "1", "--out", fc);
        Assert.True(made.ExitCode == 0, made.ToString());
        SafeTensors.Read(Path.Combine(fc, "init.safetensors"), out var metadata);
        Assert.Equal("fc", metadata["architecture"]);
        Assert.Equal("2", metadata["depth"]);
        var init = Path.Combine(fc, "init.safetensors");
        AssertBadInput(Train("--arch", "resnet", "--init", init), "--init " + init, "holds the weights of a fc network", "--arch is resnet");
        var same = CliHarness.Run("train", "--quiet", "--arch", "fc", "--width", "8", "--depth", "2", "--steps", "1", "--threads", "1", "--init", init, "--out", tmp.File("again"));
        Assert.True(same.ExitCode == 0, same.ToString());
    }

    [Fact]
    public void InitOfADeeperNetwork_ListsEveryDifference()
    {
        // A depth-3 file (W3 extra) whose W1 has the wrong input dimension, given to --depth 2: every difference at once.
        var init = tmp.File("deeper.safetensors");
        SafeTensors.Write(init,
        [
            Tensor.F64("W1", [8, 4], new double[8 * 4]),
            Tensor.F64("W2", [8, 8], new double[64]),
            Tensor.F64("W3", [8, 8], new double[64]),
            Tensor.F64("a", [8], new double[8]),
        ]);
        AssertBadInput(Train("--init", init), "--init " + init, "fc, depth 2: W1 [8, 16], W2 [8, 8], a [8]",
            "W1 has shape [8, 4], the network needs [8, 16]", "W3 [8, 8] is not a parameter of this network");
    }

    [Fact]
    public void InitFileMissing()
    {
        var init = tmp.File("nope.safetensors");
        var r = Train("--init", init);
        AssertBadInput(r, "--init " + init);
    }

    [Fact]
    public void UnknownDType() => AssertBadInput(Train("--dtype", "float16"), "--dtype float16", "float64 or float32");

    [Fact]
    public void NonPositiveLearningRate() => AssertBadInput(Train("--lr", "0"), "--lr 0", "positive");

    [Fact]
    public void NegativeSteps() => AssertBadInput(Train("--steps", "-1"), "--steps -1");

    [Fact]
    public void OutFolderHoldingARun_IsRefusedAndLeftUntouched()
    {
        var first = Train();
        Assert.True(first.ExitCode == 0, first.ToString());
        var summary = File.ReadAllText(Path.Combine(Out, "summary.json"));
        var metrics = File.ReadAllBytes(Path.Combine(Out, "metrics.csv"));
        var again = Train("--seed", "2");
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("--out " + Out, again.Err);
        Assert.Contains("already holds a run", again.Err);
        Assert.Equal(summary, File.ReadAllText(Path.Combine(Out, "summary.json")));
        Assert.Equal(metrics, File.ReadAllBytes(Path.Combine(Out, "metrics.csv")));
    }

    // The convolutional ResNet (docs/mathematics.md §2.3): its options are validated before the network is built (on this branch
    // NetworkFactory does not build the conv net yet, so a valid conv run is not tested here).

    [Fact]
    public void ConvCsvRowLengthNotD0TimesP_NamesFileAndLine()
    {
        // --input-shape 2x3 needs 6 features + a label per row; the second row has 5 features.
        var csv = tmp.Write("conv.csv", "1,2,3,4,5,6,0.5\n1,2,3,4,5,1\n1,0,0,1,0,1,-1\n");
        AssertBadInput(Train("--arch", "convresnet", "--data", "csv:" + csv, "--input-shape", "2x3"), csv + ":2:", "--input-shape 2x3 needs 6");
    }

    [Fact]
    public void ConvEvenKernelSize() =>
        AssertBadInput(Train("--arch", "convresnet", "--d0", "2", "--p", "4", "--n", "4", "--kernel-size", "2"), "--kernel-size 2", "odd");

    [Fact]
    public void ConvKernelSizeLargerThan2PPlus1() =>
        AssertBadInput(Train("--arch", "convresnet", "--d0", "2", "--p", "4", "--n", "4", "--kernel-size", "11"), "--kernel-size 11", "2p + 1 = 9");
}
