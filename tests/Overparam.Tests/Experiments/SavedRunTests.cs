using Overparam.Experiments;
using Overparam.IO;
using Overparam.Training;

namespace Overparam.Tests.Experiments;

/// <summary>RunFolder.Open reads back what RunExecutor wrote, and names the file when one is missing or corrupt.</summary>
public sealed class SavedRunTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private static readonly RunSpec Spec = new() { Depth = 2, Width = 16, N = 6, D = 3, Steps = 12, ProbeEvery = 4, Seed = 5 };

    private (string Dir, RunOutcome Outcome) Train(string name)
    {
        string dir = tmp.File(name);
        return (dir, RunExecutor.Execute(Spec, dir));
    }

    [Fact]
    public void OpensWhatTheRunWrote()
    {
        var (dir, outcome) = Train("run");
        var saved = RunFolder.Open(dir);

        Assert.Equal(Spec.ToJson(), saved.Spec.ToJson());
        Assert.Equal(16, (int)saved.Resolved["width"]!);
        Assert.Equal(outcome.Eta, (double)saved.Resolved["eta"]!);

        var data = saved.Data();
        Assert.Equal((6, 3), (data.X.Rows, data.X.Cols));
        Assert.Equal([3], data.InputShape);
        Assert.Equal(6, data.Y.Length);

        var init = saved.InitWeights();
        var final = saved.FinalWeights();
        Assert.Equal(["W1", "W2", "a"], init.Keys.Order());
        Assert.Equal([16, 3], init["W1"].Shape);
        Assert.NotEqual(init["W2"].AsDoubles(), final["W2"].AsDoubles());

        var metrics = saved.Metrics();
        Assert.Equal(Enumerable.Range(0, outcome.Steps + 1).Select(k => (double)k), metrics["step"]);
        Assert.True(metrics.Has("gh_drift"));

        var summary = saved.Summary();
        Assert.Equal(outcome.Status, summary.Status);
        Assert.Equal((outcome.Steps, outcome.InitialLoss, outcome.FinalLoss, outcome.Eta),
            (summary.Steps, summary.InitialLoss, summary.FinalLoss, summary.Eta));
        Assert.Null(summary.DivergedAtStep);
        Assert.Equal(outcome.Final.Where(kv => double.IsFinite(kv.Value)).OrderBy(kv => kv.Key), summary.FinalProbes.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void ADivergedRunSaysSo()
    {
        string dir = tmp.File("diverged");
        RunExecutor.Execute(Spec with { LrPolicy = "fixed", Lr = 1e6, ProbeEvery = 0 }, dir);
        var summary = RunFolder.Open(dir).Summary();
        Assert.Equal(TrainingStatus.Diverged, summary.Status);
        Assert.Equal(1, summary.DivergedAtStep);
        Assert.Empty(summary.FinalProbes);
    }

    [Fact]
    public void AFolderWithoutConfigIsNotARunFolder()
    {
        var e = Assert.Throws<RunSpecException>(() => RunFolder.Open(tmp.Path));
        Assert.Equal($"{tmp.Path}: no config.json (not a run folder)", e.Message);
    }

    [Theory]
    [InlineData("config.json", "{\"spec\": ")]
    [InlineData("config.json", "{\"resolved\": {}}")]
    [InlineData("config.json", "{\"spec\": {\"width\": \"wide\"}, \"resolved\": {}}")]
    public void ACorruptConfigIsNamed(string file, string content)
    {
        var (dir, _) = Train("run");
        File.WriteAllText(Path.Combine(dir, file), content);
        var e = Assert.Throws<RunSpecException>(() => RunFolder.Open(dir));
        Assert.StartsWith(Path.Combine(dir, file) + ": ", e.Message);
    }

    [Theory]
    [InlineData("data.safetensors")]
    [InlineData("init.safetensors")]
    [InlineData("final.safetensors")]
    [InlineData("metrics.csv")]
    [InlineData("summary.json")]
    public void AMissingOrCorruptFileIsNamed(string file)
    {
        var (dir, _) = Train("run");
        string path = Path.Combine(dir, file);
        var saved = RunFolder.Open(dir);
        Action read = file switch
        {
            "data.safetensors" => () => saved.Data(),
            "init.safetensors" => () => saved.InitWeights(),
            "final.safetensors" => () => saved.FinalWeights(),
            "metrics.csv" => () => saved.Metrics(),
            _ => () => saved.Summary(),
        };

        File.WriteAllText(path, file.EndsWith(".csv") ? "step,loss\n0,zero\n" : "{\"status\": 1}");
        Assert.StartsWith(path + ": ", Assert.Throws<RunSpecException>(read).Message);
        File.Delete(path);
        Assert.Equal(path + ": missing", Assert.Throws<RunSpecException>(read).Message);
    }

    [Fact]
    public void DataWithoutXAndYIsNamed()
    {
        var (dir, _) = Train("run");
        string path = Path.Combine(dir, "data.safetensors");
        SafeTensors.Write(path, [Tensor.F64("X", [6, 3], new double[18])]);
        Assert.Equal($"{path}: expected tensors X [n, ...] and y [n]", Assert.Throws<RunSpecException>(() => RunFolder.Open(dir).Data()).Message);
    }
}
