using Overparam.Experiments.Verify;
using Overparam.Reports;

namespace Overparam.Tests.Cli;

/// <summary>`overparam verify --preset quick` end to end: a complete report folder whose plot CSVs reproduce the run data.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class VerifyCommandTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    [Fact]
    public void KeepWeights_KeepsThemAndTheirSizeIsTheEstimate()
    {
        var config = tmp.Write("study.json", """{ "architectures": ["fc", "resnet"], "depths": [2], "widths": [24], "seeds": 1, "n": 6, "d": 3, "steps": 3, "probe_every": 1 }""");
        var dir = tmp.File("kept");
        var r = CliHarness.Run("verify", "--config", config, "--keep-weights", "--out", dir, "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
        var study = Study.Load(config);
        var weights = study.Cells().SelectMany(c => new[] { "init", "final" }.Select(w =>
            new FileInfo(Path.Combine(dir, "runs", $"{c.Arch}-H{c.Depth}-m{c.Width}-s{c.Seed}", $"{w}.safetensors")))).ToList();
        Assert.All(weights, f => Assert.True(f.Exists, f.FullName));
        // The estimate counts the float64 values; each file adds its JSON header (a few hundred bytes).
        long payload = weights.Sum(f => f.Length);
        Assert.InRange(payload - study.WeightBytes(), 0, weights.Count * 1024);
    }

    [Fact]
    public void QuickPreset_WritesACompleteReportWhosePlotCsvsReproduceTheRuns()
    {
        var dir = tmp.File("report");
        var r = CliHarness.Run("verify", "--preset", "quick", "--out", dir, "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("report:", r.Out);

        var study = Study.Preset("quick")!;
        Assert.True(File.Exists(Path.Combine(dir, "report.html")));
        Assert.True(File.Exists(Path.Combine(dir, "report.md")));
        string md = File.ReadAllText(Path.Combine(dir, "report.md"));

        // One run folder per cell, each with its metrics; the weights are not kept without --keep-weights.
        foreach (var (arch, depth, width, seed) in study.Cells())
        {
            var run = Path.Combine(dir, "runs", $"{arch}-H{depth}-m{width}-s{seed}");
            foreach (var f in new[] { "metrics.csv", "summary.json", "config.json", "data.safetensors" })
                Assert.True(File.Exists(Path.Combine(run, f)), $"{run}/{f} missing");
            Assert.DoesNotContain(Directory.GetFiles(run, "*.safetensors"), f => !f.EndsWith("data.safetensors"));
        }

        // Every plot (quick has one depth, so no depth plots) as PNG, SVG and CSV, and mentioned in report.md.
        var plots = study.Architectures.SelectMany(a => new[] { $"loss_{a}", $"ratio_{a}", $"drift_{a}", $"movement_{a}", $"movement_avg_{a}" }).ToList();
        foreach (var p in plots)
        {
            foreach (var ext in new[] { "png", "svg", "csv" })
                Assert.True(new FileInfo(Path.Combine(dir, $"{p}.{ext}")) is { Exists: true, Length: > 0 }, $"{p}.{ext} missing");
            Assert.Contains(p + ".png", md);
        }
        Assert.Equal(plots.Count * 3, Directory.GetFiles(dir, "*.*").Count(f => f.EndsWith(".png") || f.EndsWith(".svg") || f.EndsWith(".csv")));

        Series SeriesOf(string plot, string name) =>
            Assert.Single(PlotCsv.Read(File.ReadAllText(Path.Combine(dir, plot + ".csv"))), s => s.Name == name);
        MetricsTable Metrics(string arch, int depth, int width, int seed) =>
            MetricsTable.Read(Path.Combine(dir, "runs", $"{arch}-H{depth}-m{width}-s{seed}", "metrics.csv"));
        int h = study.Depths.Max(), widest = study.Widths.Max();

        foreach (var arch in study.Architectures)
        {
            // loss_ARCH: "loss L(k)" is the loss column of the widest, deepest seed-1 run, exactly.
            var loss = SeriesOf($"loss_{arch}", "loss L(k)");
            var m = Metrics(arch, h, widest, 1);
            Assert.Equal(m["step"], loss.X);
            Assert.Equal(m["loss"], loss.Y);
            var (bs, bv) = m.Probed("bound");
            var bound = SeriesOf($"loss_{arch}", "bound (1−ηλ₀/2)^k L(0)");
            Assert.Equal(bs, bound.X);
            Assert.Equal(bv, bound.Y);

            // ratio_ARCH: one series per width, the probed λ_min(G^(H)(k))/λ₀ of seed 1.
            foreach (var w in study.Widths)
            {
                var (rs, rv) = Metrics(arch, h, w, 1).Probed("lambda_min_gh_ratio");
                var ratio = SeriesOf($"ratio_{arch}", $"m = {w}");
                Assert.Equal(rs, ratio.X);
                Assert.Equal(rv, ratio.Y);
            }

            // drift_ARCH and movement_ARCH: the mean over seeds of the last probed value, per width.
            foreach (var (plot, column) in new[] { ($"drift_{arch}", "gh_drift_rel"), ($"movement_{arch}", $"dW{h}_fro") })
            {
                var s = SeriesOf(plot, $"H = {h}");
                Assert.Equal(study.Widths.Select(w => (double)w), s.X);
                for (int i = 0; i < study.Widths.Length; i++)
                {
                    int w = study.Widths[i];
                    var lastPerSeed = Enumerable.Range(1, study.Seeds).Select(seed =>
                    {
                        var (_, v) = Metrics(arch, h, w, seed).Probed(column);
                        return v[^1];
                    }).ToArray();
                    double mean = lastPerSeed.Average();
                    Assert.True(Math.Abs(mean - s.Y[i]) <= 1e-15 * Math.Abs(mean), $"{plot} m = {w}: csv {s.Y[i]} vs recomputed {mean}");
                }
            }
        }

        // A second run into the same (now non-empty) folder is refused as bad input.
        var again = CliHarness.Run("verify", "--preset", "quick", "--out", dir, "--quiet");
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("not empty", again.Err);
    }
}
