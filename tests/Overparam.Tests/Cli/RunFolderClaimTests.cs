using System.Diagnostics;
using System.Text.Json.Nodes;
using Overparam.Experiments;

namespace Overparam.Tests.Cli;

/// <summary>
/// A run folder has one writer (issue 11, item 2): two `train` processes started at once without --out each get their
/// own folder (the default name runs/train-TIME has one-second resolution), and two with the same --out leave one
/// complete run and one refusal with exit 2, never a mixed folder.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class RunFolderClaimTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private const int Steps = 5;
    private static readonly string[] Small = ["train", "--depth", "1", "--width", "16", "--n", "6", "--d", "3", "--steps", "5", "--threads", "1", "--quiet"];

    private static (int Code, string Out, string Err)[] StartTogether(string workingDirectory, string[] args, int count)
    {
        var processes = Enumerable.Range(0, count).Select(_ => CliHarness.StartIn(workingDirectory, args)).ToArray();
        var outputs = processes.Select(p => (Out: p.StandardOutput.ReadToEndAsync(), Err: p.StandardError.ReadToEndAsync())).ToArray();
        foreach (var p in processes) Assert.True(p.WaitForExit(120_000), "a run did not end");
        var result = processes.Select((p, i) => (p.ExitCode, outputs[i].Out.Result, outputs[i].Err.Result)).ToArray();
        foreach (var p in processes) p.Dispose();
        return result;
    }

    /// <summary>A complete, single-writer run folder: rows 0 … Steps once each, a final summary, no temporary file.</summary>
    private static void AssertCompleteRun(string dir)
    {
        var rows = CliHarness.ReadCsv(Path.Combine(dir, "metrics.csv"));
        Assert.Equal(Enumerable.Range(0, Steps + 1), rows.Select(r => (int)CliHarness.D(r["step"])));
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!;
        Assert.Equal("budget_exhausted", (string)summary["status"]!);
        Assert.NotNull(JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!["spec"]);
        Assert.True(File.Exists(Path.Combine(dir, "final.safetensors")));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TwoRunsStartedTogetherWithoutOut_EachGetItsOwnFolder()
    {
        for (int round = 0; round < 3; round++)
        {
            string cwd = tmp.File($"round{round}");
            Directory.CreateDirectory(cwd);
            var results = StartTogether(cwd, Small, 2);
            Assert.All(results, r => Assert.True(r.Code == 0, $"exit {r.Code}\n{r.Out}\n{r.Err}"));
            var folders = results.Select(r => r.Out.Split('\n').Single(l => l.StartsWith("run folder: ")).Trim()["run folder: ".Length..]).ToArray();
            Assert.NotEqual(folders[0], folders[1]);
            var made = Directory.GetDirectories(Path.Combine(cwd, "runs"));
            Assert.Equal(2, made.Length);
            foreach (var f in folders) AssertCompleteRun(Path.Combine(cwd, f));
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TwoRunsIntoTheSameOut_OneRunsAndTheOtherIsRefused()
    {
        for (int round = 0; round < 3; round++)
        {
            string dir = tmp.File($"same{round}");
            var results = StartTogether(tmp.Path, [.. Small, "--out", dir], 2);
            Assert.Single(results, r => r.Code == 0);
            var refused = Assert.Single(results, r => r.Code != 0);
            Assert.True(refused.Code == 2, $"exit {refused.Code}\n{refused.Out}\n{refused.Err}");
            Assert.Contains($"--out {dir}: already holds a run", refused.Err);
            Assert.DoesNotContain("   at ", refused.Err);
            AssertCompleteRun(dir);
        }
    }

    [Fact]
    public void ADefaultNameThatIsTaken_MovesOnToTheNextSuffix()
    {
        var spec = new RunSpec { Architecture = "fc", Depth = 1, Width = 8, N = 4, D = 3, Steps = 1, LrPolicy = "fixed", Lr = 0.05 };
        string dir = tmp.File("train-20260101-000000");
        Assert.Equal(dir, RunExecutor.Execute(spec, dir, defaultName: true).Folder);
        Assert.Equal(dir + "-2", RunExecutor.Execute(spec, dir, defaultName: true).Folder);
        Assert.Equal(dir + "-3", RunExecutor.Execute(spec, dir, defaultName: true).Folder);
        var e = Assert.Throws<RunSpecException>(() => RunExecutor.Execute(spec, dir));
        Assert.Contains("already holds a run (config.json)", e.Message);
    }
}
