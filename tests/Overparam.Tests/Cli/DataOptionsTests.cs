namespace Overparam.Tests.Cli;

/// <summary>The held-out-set and classification options of `overparam train`: in --help, and bad input is exit 2 with nothing written.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class DataOptionsTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private CliResult Train(params string[] extra) =>
        CliHarness.Run(["train", "--quiet", "--width", "8", "--depth", "2", "--steps", "3", "--threads", "1", "--out", tmp.File("run"), .. extra]);

    [Fact]
    public void HelpListsTheOptions()
    {
        var r = CliHarness.Run("train", "--help");
        foreach (var option in new[] { "--n-test", "--test-data", "--test-fraction", "--bayes-error", "--standardize", "--classes-count" })
            Assert.Contains(option, r.Out);
    }

    [Fact]
    public void TestFileWithAnotherFeatureCountIsExit2()
    {
        string train = tmp.Write("train.csv", "1,2,0.5\n3,4,1\n");
        string test = tmp.Write("test.csv", "1,2,3,0.5\n4,5,6,1\n");
        var r = Train("--data", "csv:" + train, "--test-data", "csv:" + test);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains($"{test}: test samples have 3 features, but the training data {train} has 2", r.Err);
        Assert.False(Directory.Exists(tmp.File("run")));
    }

    [Theory]
    [InlineData("--classes", "0,1,2", "--classes 0,1,2: expected two class labels, e.g. 0,1, or all")]
    [InlineData("--test-fraction", "1.5", "--test-fraction 1.5: must be in (0, 1)")]
    public void BadValuesAreExit2(string option, string value, string message)
    {
        var r = Train("--data", "mixture", option, value);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains(message, r.Err);
    }

    [Fact]
    public void MixtureTrains()
    {
        var r = Train("--data", "mixture", "--n", "16", "--d", "4", "--n-test", "8", "--bayes-error", "0.2");
        Assert.True(r.ExitCode == 0, r.ToString());
    }
}
