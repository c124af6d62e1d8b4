using Overparam.Architectures;
using Overparam.Data;
using Overparam.Experiments;
using Overparam.Experiments.Verify;
using Overparam.Measures;
using Overparam.Reports;
using Overparam.Tests.Cli;
using Overparam.Training;

namespace Overparam.Tests.Experiments;

/// <summary>`verify --preset practical-sizes`: its data sets, its frozen-layer descent, every verdict on constructed cells, and a tiny study through the CLI.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class PracticalSizesStudyTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private static readonly PracticalSizesConfig Small = new() { D = 5, Classes = 3, NTest = 30, HiddenWidth = 6, Depth = 2, DataSeed = 7 };

    [Fact]
    public void TheThreeDataSetsAreBuiltFromTheSameInputs()
    {
        var sets = PracticalSizesData.Build(Small, 40);
        Assert.Equal(PracticalSizesData.Names, sets.Select(s => s.Name));
        var (natural, labels, inputs) = (sets[0], sets[1], sets[2]);
        // Natural and random labels: the same inputs; random labels and random inputs: the same labels.
        Assert.Equal(natural.Train.X.Data, labels.Train.X.Data);
        Assert.Equal(natural.Test.X.Data, labels.Test.X.Data);
        Assert.Equal(labels.Train.Y, inputs.Train.Y);
        Assert.Equal(labels.Test.Y, inputs.Test.Y);
        // Natural labels are the teacher's; inputs on the unit sphere; random inputs are not.
        var teacher = new TeacherClasses(Small.D, Small.Classes, Small.DataSeed);
        for (int i = 0; i < 40; i++)
        {
            Assert.Equal(teacher.Label(natural.Train.X.Row(i)), natural.Train.Y[i]);
            Assert.Equal(1, Math.Sqrt(natural.Train.X.Row(i).ToArray().Sum(v => v * v)), 12);
        }
        Assert.Contains(Enumerable.Range(0, 40), i => Math.Abs(inputs.Train.X.Row(i).ToArray().Sum(v => v * v) - 1) > 0.1);
        Assert.NotEqual(natural.Train.Y, labels.Train.Y);
        Assert.All(labels.Train.Y.Concat(labels.Test.Y), y => Assert.True(y is 0 or 1 or 2));
        Assert.Equal(3, labels.Train.Y.Distinct().Count());
        // The first n rows of a pool do not depend on the pool's size, so every n trains on a prefix of the same samples.
        var shorter = PracticalSizesData.Build(Small, 17);
        for (int s = 0; s < 3; s++)
        {
            Assert.Equal(sets[s].Train.X.Data[..(17 * Small.D)], shorter[s].Train.X.Data);
            Assert.Equal(sets[s].Train.Y[..17], shorter[s].Train.Y);
            Assert.Equal(sets[s].Test.Y, shorter[s].Test.Y);
        }
    }

    /// <summary>The data set's training and test CSV files, as the study writes them.</summary>
    private (string Train, string Test) Write(PracticalSizesData set)
    {
        string train = tmp.File("train.csv"), test = tmp.File("test.csv");
        PracticalSizesData.WriteCsv(set.Train, train);
        PracticalSizesData.WriteCsv(set.Test, test);
        return (train, test);
    }

    [Fact]
    public void TheRunsReadExactlyTheDataTheStudyBuilt()
    {
        var set = PracticalSizesData.Build(Small, 20)[2];
        var (train, test) = Write(set);
        var spec = Small.Spec(train, test, 12, 9, 0.1);
        var data = RunData.LoadSplit(spec, RunNetwork.Architecture(spec), out _, Small.Classes);
        Assert.Equal(set.Train.X.Data[..(12 * Small.D)], data.Train.X.Data);
        Assert.Equal(set.Train.Y[..12], data.Train.Y);
        Assert.Equal(set.Test.X.Data, data.Test!.X.Data);
        Assert.Equal(set.Test.Y, data.Test.Y);
    }

    [Fact]
    public void FrozenDescentIsTheTrainOutputRunOfTheNetwork()
    {
        // The study's frozen regime trains the output layer on Φ; `--train output` trains the whole network with the
        // hidden layers frozen. Same initialization, same η: the same losses step by step, up to the GEMMs' rounding.
        var set = PracticalSizesData.Build(Small, 16)[1];
        var (train, test) = Write(set);
        var config = Small with { FrozenSteps = 40, RecordEvery = 1 };
        var spec = config.Spec(train, test, 16, 20, 1) with { Train = "output", LrHidden = null, Steps = 40, EvalEvery = 40 };
        // Φ as the study computes it: the network of the spec's seed, before any run.
        var data = RunData.LoadSplit(spec, RunNetwork.Architecture(spec), out _, Small.Classes);
        var network = RunNetwork.Config(spec, data.Train, Small.Classes);
        var parameters = RunNetwork.Parameters<double>(spec, network);
        var model = NetworkFactory.Create(network, parameters);
        var phi = Expressivity.Features(model, data.Train.X);
        var phiTest = Expressivity.Features(model, data.Test!.X);
        Assert.Equal(20, phi.Cols);
        double eta = 16 * Small.Classes / (2 * Math.Pow(Expressivity.Measure(phi).SigmaMax, 2));
        var run = tmp.File("run");
        var outcome = RunExecutor.Execute(spec with { Lr = eta }, run);
        var saved = RunFolder.Open(run).InitWeights();
        foreach (var p in parameters) Assert.Equal(p.Value, saved[p.Name].AsDoubles());       // the run starts from the same network
        var frozen = PracticalSizesStudy.FrozenDescent(config, phi, phiTest, data.Train.Y, data.Test.Y, parameters.First(p => p.Name == "a").Value, eta, CancellationToken.None);
        var losses = MetricsTable.Read(Path.Combine(run, "metrics.csv"))[MetricColumns.Loss];
        Assert.True(losses.Length == 41, $"{outcome.Status}: {outcome.Message}, {losses.Length} rows");
        Assert.Equal(41, frozen.Curve.Length);
        for (int k = 0; k <= 40; k++) Assert.Equal(losses[k], frozen.Curve[k], 1e-12 * losses[0]);
        Assert.True(frozen.Curve[^1] < 0.9 * frozen.Curve[0], "the descent should make progress");
        Assert.Equal(outcome.Final[MetricColumns.TestError], frozen.TestError, 12);
        Assert.Equal(outcome.Final[MetricColumns.TrainError], frozen.TrainError, 12);
    }

    // ---- verdicts on constructed cells ----

    private static readonly PracticalSizesConfig Grid = new() { Ns = [8, 16, 32], WidthFractions = [0.5, 1, 2] };

    private static GdOutcome Done(double loss, double testError = 0.5) => new(TrainingStatus.BudgetExhausted, loss, 0, testError, null);

    /// <summary>Cells for every data set, n and m_H of <see cref="Grid"/>, with values from <paramref name="frozen"/> and <paramref name="trained"/> (loss by n, m_H).</summary>
    private static List<PracticalSizesCell> Cells(Func<int, int, double> frozen, Func<int, int, double>? trained = null, Func<string, double>? testError = null)
    {
        var cells = new List<PracticalSizesCell>();
        foreach (var data in PracticalSizesData.Names)
            foreach (var n in Grid.Ns)
                foreach (var f in Grid.WidthFractions)
                {
                    int m = PracticalSizesConfig.FeatureWidth(n, f);
                    double err = testError?.Invoke(data) ?? 0.5;
                    cells.Add(new PracticalSizesCell(data, n, m)
                    {
                        Rank = Math.Min(n, m), SigmaMin = 1e-3, SigmaMax = 10, MinimumLoss = m >= n ? 1e-28 : 0.02, MinimumResidual = m >= n ? 1e-27 : 0.2,
                        InitialLoss = 0.5, Eta = 1, MajorityTestError = data == "natural" ? 0.8 : 0.9,
                        Frozen = Done(frozen(n, m), err), Trained = Done((trained ?? frozen)(n, m), err),
                    });
                }
        return cells;
    }

    private static Verdict[] Verdicts(IReadOnlyList<PracticalSizesCell> cells) => PracticalSizesReport.Build(Grid, cells, 1, 2).Claims.Select(c => c.Verdict).ToArray();

    [Fact]
    public void EveryClaimHolds_WhenTheDataSayItDoes()
    {
        // GD reaches 1e-4 exactly from m_H = n: the smallest fitting m_H is n (slope 1); natural 0.3 < 0.8 − 0.05, random 0.9.
        var cells = Cells((n, m) => m >= n ? 1e-4 : 0.05, testError: d => d == "natural" ? 0.3 : 0.9);
        Assert.All(Verdicts(cells), v => Assert.Equal(Verdict.Holds, v));
        var linear = PracticalSizesReport.LinearClaim(Grid, cells, c => c.Frozen);
        Assert.Equal(1, linear.Worst, 12);
        Assert.Equal(new int?[] { 8, 16, 32 }, PracticalSizesReport.SmallestFitting(Grid, cells, "random-labels", c => c.Frozen).Values);
    }

    [Fact]
    public void EveryClaimFails_WhenTheDataContradictIt()
    {
        var cells = Cells((n, m) => n == 8 ? (m >= 4 ? 1e-4 : 0.05) : (m >= 2 * n ? 1e-4 : 0.05), testError: d => 0.9);
        // The smallest fitting m_H: 4, 32, 64 for n = 8, 16, 32: in log2, (3, 2), (4, 5), (5, 6): least-squares slope 2.
        var linear = PracticalSizesReport.LinearClaim(Grid, cells, c => c.Frozen);
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, linear.Verdict);
        Assert.True(linear.Worst > 1.25, linear.Measured);
        // A rank deficit, a minimum that is not 0 at m_H ≥ n, and a frozen run that stalls above the fit loss at m_H ≥ n.
        cells[0] = cells[0] with { Rank = cells[0].Rank - 1 };
        int wide = cells.FindIndex(c => c.Width >= c.N);
        cells[wide] = cells[wide] with { MinimumResidual = 1e-3 };
        int stalled = cells.FindIndex(c => c.Width == c.N && c.N == 16);
        cells[stalled] = cells[stalled] with { Frozen = Done(0.05) };
        var v = Verdicts(cells);
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, v[0]);                       // rank
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, v[1]);                       // minimum 0 iff m_H ≥ n
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, v[3]);                       // GD reaches the minimum
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, v[6]);                       // test error: natural at 0.9 is not low
        // A grid where GD never fits: "linear in n" does not hold, and says so.
        var never = PracticalSizesReport.LinearClaim(Grid, Cells((n, m) => 0.05), c => c.Frozen);
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, never.Verdict);
        Assert.Contains("fits at no m_H", never.Measured);
        // Test error on random data far below chance: the claim does not hold either.
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, PracticalSizesReport.TestErrorClaim(Grid, Cells((n, m) => 1e-4, testError: d => 0.3)).Verdict);
    }

    [Fact]
    public void FailedAndDivergedRunsCountInNoVerdict()
    {
        var cells = Cells((n, m) => m >= n ? 1e-4 : 0.05, testError: d => d == "natural" ? 0.3 : 0.9);
        var before = Verdicts(cells);
        // A diverged frozen run at m_H ≥ n with a huge loss and test error: the verdicts do not change.
        int i = cells.FindIndex(c => c.Width > c.N && c.Data == "random-labels");
        cells[i] = cells[i] with { Frozen = new GdOutcome(TrainingStatus.Diverged, 1e9, 1, 1, "loss became NaN") };
        Assert.Equal(before, Verdicts(cells));
        var report = PracticalSizesReport.Build(Grid, cells, 1, 2);
        var failed = report.Sections.Single(s => s.Heading == "Runs that did not finish").Tables[0];
        Assert.Contains(failed.Rows, r => r[1] == "diverged");
        // A failed run below the first fitting width leaves that n's smallest m_H unknown: not enough data with one n left.
        var failing = Cells((n, m) => m >= n ? 1e-4 : 0.05);
        foreach (var n in new[] { 8, 16 })
        {
            int j = failing.FindIndex(c => c.Data == "random-labels" && c.N == n && c.Width < n);
            failing[j] = failing[j] with { Frozen = GdOutcome.Failed("boom") };
        }
        Assert.Equal(Verdict.NotApplicable, PracticalSizesReport.LinearClaim(Grid, failing, c => c.Frozen).Verdict);
        Assert.Equal(Verdict.NotApplicable, PracticalSizesReport.FrozenReachesClaim(Grid, []).Verdict);
        Assert.Equal(Verdict.NotApplicable, PracticalSizesReport.RankClaim([new PracticalSizesCell("natural", 8, 8)]).Verdict);
    }

    // ---- the preset through the CLI ----

    private const string Tiny = """{ "ns": [8, 16], "width_fractions": [0.5, 1, 2], "d": 4, "hidden_width": 6, "n_test": 40, "frozen_steps": 300, "trained_steps": 20, "record_every": 10 }""";

    [Fact]
    [Trait("Category", "Slow")]
    public void TinyStudyThroughTheCliWritesTheReport()
    {
        string config = tmp.Write("tiny.json", Tiny), dir = tmp.File("report");
        var r = CliHarness.Run("verify", "--preset", "practical-sizes", "--config", config, "--out", dir, "--quiet", "--threads", "2");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("rank Φ = min(n, m_H)", r.Out);
        string md = File.ReadAllText(Path.Combine(dir, "report.md"));
        Assert.True(File.Exists(Path.Combine(dir, "report.html")));
        foreach (var plot in new[] { "natural_minimum_vs_gd", "random_labels_minimum_vs_gd", "random_inputs_minimum_vs_gd", "random_labels_frozen_curves", "smallest_width_vs_n", "kappa", "rank", "test_error" })
            foreach (var ext in new[] { "png", "svg", "csv" })
                Assert.True(new FileInfo(Path.Combine(dir, $"{plot}.{ext}")) is { Exists: true, Length: > 0 }, $"{plot}.{ext} missing");
        var cells = File.ReadAllLines(Path.Combine(dir, "cells.csv"));
        Assert.Equal(1 + 3 * 2 * 3, cells.Length);
        foreach (var data in PracticalSizesData.Names)
        {
            Assert.True(File.Exists(Path.Combine(dir, "data", $"{data}-train.csv")));
            var run = Path.Combine(dir, "runs", $"{data}-n16-m32");
            Assert.True(File.Exists(Path.Combine(run, "summary.json")), run);
            Assert.Contains("\"feature_width\": 32", File.ReadAllText(Path.Combine(run, "config.json")));
        }
        Assert.Contains("| random-labels | 16 | 32 |", md);
        // The direct minimum on random labels: 0 at m_H ≥ n, not below; read back from cells.csv.
        var header = cells[0].Split(',');
        int col = Array.IndexOf(header, "minimum_residual"), mCol = Array.IndexOf(header, "m_h"), nCol = Array.IndexOf(header, "n");
        foreach (var row in cells.Skip(1).Select(l => l.Split(',')))
        {
            double residual = double.Parse(row[col], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(int.Parse(row[mCol]) >= int.Parse(row[nCol]) ? residual < 1e-10 : residual > 1e-3, string.Join(",", row));
        }
    }

    [Fact]
    public void BadStudyFilesAndOptionsAreBadInput()
    {
        string dir = tmp.File("out");
        var unknown = CliHarness.Run("verify", "--preset", "practical-sizes", "--config", tmp.Write("bad.json", """{ "ns": [8], "fit_los": 0.1 }"""), "--out", dir, "--quiet");
        Assert.True(unknown.ExitCode == 2, unknown.ToString());
        Assert.Contains("unknown key \"fit_los\" (did you mean \"fit_loss\"?)", unknown.Err);
        var values = CliHarness.Run("verify", "--preset", "practical-sizes", "--config", tmp.Write("values.json", """{ "ns": [1], "depth": 1, "chance_margin": 2 }"""), "--out", dir, "--quiet");
        Assert.True(values.ExitCode == 2, values.ToString());
        foreach (var f in new[] { "3 problem(s)", "ns:", "depth:", "chance_margin:" }) Assert.Contains(f, values.Err);
        var both = CliHarness.Run("verify", "--preset", "practical-sizes", "--config", tmp.Write("ok.json", "{}"), "--scale", "2", "--out", dir, "--quiet");
        Assert.True(both.ExitCode == 2, both.ToString());
        Assert.Contains("--scale", both.Err);
        var scale = CliHarness.Run("verify", "--preset", "practical-sizes", "--scale", "9", "--out", dir, "--quiet");
        Assert.True(scale.ExitCode == 2 && scale.Err.Contains("(0, 8]"), scale.ToString());
        var other = CliHarness.Run("verify", "--preset", "flatness", "--config", tmp.Write("f.json", "{}"), "--out", dir, "--quiet");
        Assert.True(other.ExitCode == 2 && other.Err.Contains("takes no study file"), other.ToString());
        Assert.False(Directory.Exists(dir), "a report folder was left behind");
        Assert.Equal([64, 128, 256], PracticalSizesConfig.Scaled(1).Ns);
        Assert.Equal([64, 128, 256, 512, 1024], PracticalSizesConfig.Scaled(4).Ns);
        Assert.Equal([64], PracticalSizesConfig.Scaled(0.1).Ns);
    }
}
