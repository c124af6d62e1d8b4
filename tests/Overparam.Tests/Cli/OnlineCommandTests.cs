using Overparam.IO;

namespace Overparam.Tests.Cli;

/// <summary>`overparam online`: the folders it writes, and bad input (exit 2, a message naming the option, no folder).</summary>
[Collection(ConsoleCollection.Name)]
public sealed class OnlineCommandTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private string Out => tmp.File("online");

    private CliResult Online(params string[] extra)
    {
        var defaults = new[] { ("--hidden", "6"), ("--tasks", "2"), ("--stages", "3"), ("--stage-examples", "20"), ("--learners", "cp,bp-adam"), ("--threads", "1"), ("--out", Out) };
        var args = new List<string> { "online", "--quiet" };
        foreach (var (k, v) in defaults) if (!extra.Contains(k)) args.AddRange([k, v]);
        args.AddRange(extra);
        return CliHarness.Run([.. args]);
    }

    [Fact]
    public void WritesTheStreamAndAFolderPerLearner()
    {
        var r = Online();
        Assert.True(r.ExitCode == 0, r.ToString());
        var data = SafeTensors.Read(Path.Combine(Out, "data.safetensors"));
        Assert.Equal([60, 21], data["X"].Shape);
        Assert.Equal([60], data["y"].Shape);
        Assert.Equal(2.0, data["stage"].AsDoubles()[59]);
        Assert.Equal(0.0, data["task"].AsDoubles()[59]);
        foreach (var learner in new[] { "cp", "bp-adam" })
        {
            string dir = Path.Combine(Out, learner);
            var init = SafeTensors.Read(Path.Combine(dir, "init.safetensors"));
            var final = SafeTensors.Read(Path.Combine(dir, "final.safetensors"));
            Assert.Equal([6, 21], init["U"].Shape);
            Assert.Equal([7], init["W"].Shape);
            Assert.NotEqual(init["U"].AsDoubles(), final["U"].AsDoubles());
            Assert.Equal(learner == "cp", final.ContainsKey("H"));
            var lines = File.ReadAllLines(Path.Combine(dir, "metrics.csv"));
            Assert.Equal("example,stage,loss,error,u_change,w_change", lines[0]);
            Assert.Equal(61, lines.Length);
            Assert.Contains("\"finished\"", File.ReadAllText(Path.Combine(dir, "summary.json")));
            Assert.Contains("\"init_seed\": 2", File.ReadAllText(Path.Combine(dir, "config.json")));
        }
        var cpInit = SafeTensors.Read(Path.Combine(Out, "cp", "init.safetensors"))["U"].AsDoubles();
        var bpInit = SafeTensors.Read(Path.Combine(Out, "bp-adam", "init.safetensors"))["U"].AsDoubles();
        Assert.Equal(cpInit, bpInit);
    }

    [Fact]
    public void Window_AveragesWithinStages()
    {
        var r = Online("--window", "8", "--save-stream", "false");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.False(File.Exists(Path.Combine(Out, "data.safetensors")));
        var examples = File.ReadAllLines(Path.Combine(Out, "cp", "metrics.csv")).Skip(1).Select(l => l.Split(',')[0]).ToArray();
        Assert.Equal(["8", "16", "20", "28", "36", "40", "48", "56", "60"], examples);
    }

    private void AssertBadInput(CliResult r, params string[] fragments)
    {
        Assert.True(r.ExitCode == 2, r.ToString());
        foreach (var f in fragments) Assert.True(r.Err.Contains("error: ") && r.Err.Contains(f, StringComparison.Ordinal), $"missing \"{f}\" in:\n{r}");
        Assert.False(Directory.Exists(Out), "the output folder was created for bad input");
    }

    [Theory]
    [InlineData("--alpha", "0")]
    [InlineData("--alpha", "-0.001")]
    [InlineData("--alpha-u", "0")]
    [InlineData("--alpha-w", "-1")]
    public void NonPositiveStepSize_Exit2(string option, string value) => AssertBadInput(Online(option, value), option + " " + value, "must be positive");

    [Fact]
    public void NoHiddenUnits_Exit2() => AssertBadInput(Online("--hidden", "0"), "--hidden 0", "at least 1");

    [Fact]
    public void StreamShorterThanOneStage_Exit2() => AssertBadInput(Online("--examples", "19"), "--examples 19", "shorter than one stage");

    [Fact]
    public void UnknownLearner_Exit2() => AssertBadInput(Online("--learners", "cp,sgd"), "unknown learner \"sgd\"");

    [Fact]
    public void UnknownStream_Exit2() => AssertBadInput(Online("--stream", "mnist"), "--stream mnist");
}
