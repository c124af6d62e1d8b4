using System.Text.Json.Nodes;
using Overparam.IO;

namespace Overparam.Tests.Cli;

/// <summary>`train --feature-width` through the CLI: the weights' shapes, Φ of n × M_H for `expressivity`, and bad input.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class FeatureWidthCliTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private static readonly string[] Small =
        ["train", "--width", "6", "--n", "12", "--d", "4", "--lr", "0.01", "--steps", "3", "--threads", "1", "--quiet"];

    private CliResult Train(string dir, params string[] extra) =>
        CliHarness.Run([.. Small, .. extra.Contains("--depth") ? Array.Empty<string>() : ["--depth", "3"], .. extra, "--out", dir]);

    [Theory]
    [InlineData("fc", "ntk")]
    [InlineData("resnet", "standard")]
    public void TheLastLayerHasTheFeatureWidth(string arch, string parameterization)
    {
        string dir = tmp.File("r");
        var r = Train(dir, "--arch", arch, "--parameterization", parameterization, "--feature-width", "20");
        Assert.True(r.ExitCode == 0, r.ToString());
        foreach (var file in new[] { "init", "final" })
        {
            var t = SafeTensors.Read(Path.Combine(dir, file + ".safetensors"));
            Assert.Equal([6, 4], t["W1"].Shape);
            Assert.Equal([6, 6], t["W2"].Shape);
            Assert.Equal([20, 6], t["W3"].Shape);
            Assert.Equal([20], t["a"].Shape);
        }
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        Assert.Equal(20, (int)config["spec"]!["feature_width"]!);
        Assert.Equal(20, (int)config["resolved"]!["feature_width"]!);

        var e = CliHarness.Run("expressivity", "--run", dir, "--weights", "final", "--threads", "1");
        Assert.True(e.ExitCode == 0, e.ToString());
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "expressivity.json")))!;
        Assert.Equal(12, (int)json["rows"]!);
        Assert.Equal(20, (int)json["cols"]!);
        Assert.Equal(12, (int)json["rank"]!);
    }

    [Fact]
    public void WithoutTheOptionConfigHasNoFeatureWidthKey()
    {
        string dir = tmp.File("r");
        Assert.Equal(0, Train(dir).ExitCode);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        Assert.False(config["spec"]!.AsObject().ContainsKey("feature_width"));
        Assert.False(config["resolved"]!.AsObject().ContainsKey("feature_width"));
    }

    [Theory]
    [InlineData(new[] { "--feature-width", "0" }, "--feature-width 0: must be at least 1")]
    [InlineData(new[] { "--feature-width", "8", "--depth", "1" }, "--feature-width with --depth 1")]
    [InlineData(new[] { "--feature-width", "8", "--arch", "convresnet" }, "--feature-width: only for fc or resnet")]
    [InlineData(new[] { "--feature-width", "8", "--lr-policy", "theory" }, "--feature-width 8 with --width 6")]
    [InlineData(new[] { "--feature-width", "8", "--probe-every", "1" }, "--feature-width 8 with --width 6")]
    public void BadInputIsRefused(string[] extra, string fragment)
    {
        string dir = tmp.File("bad");
        var r = Train(dir, extra);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.True(r.Err.Contains(fragment, StringComparison.Ordinal), $"missing \"{fragment}\" in:\n{r}");
        Assert.False(Directory.Exists(dir), "a run folder was left behind");
    }

    [Fact]
    public void TheStablePolicyUsesTheFiniteWidthGram()
    {
        string dir = tmp.File("r");
        var r = CliHarness.Run([.. Small.Where(a => a is not ("--lr" or "0.01")), "--depth", "3", "--feature-width", "9", "--lr-policy", "stable", "--out", dir]);
        Assert.True(r.ExitCode == 0, r.ToString());
    }
}
