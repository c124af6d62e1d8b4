using System.Text.Json.Nodes;
using Overparam.Architectures;
using Overparam.Experiments;
using Overparam.IO;
using Overparam.Measures;
using Overparam.Numerics;
using Overparam.Tests.Architectures;
using Overparam.Tests.Measures;
using Overparam.Training;
using Overparam.Training.Optimizers;

namespace Overparam.Tests.Training;

/// <summary>The two-phase modification A(base): the guarantee's invariant, exact restores, and the base run when phase 2 never starts.</summary>
public sealed class TwoPhaseTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    /// <summary>After every update k ≥ τ whose index in phase 2 is a multiple of K: Φ by an SVD of a third network over the same arrays.</summary>
    private sealed class SigmaWatch(IModel<double> probe, Matrix<double> x, int tau, int every) : ITrainingObserver<double>
    {
        public readonly List<double> Checked = [];
        public void OnStep(in StepState<double> s) { }
        public void AfterUpdate(int nextStep, long nextBatch)
        {
            int phase2Updates = nextStep - tau;
            if (phase2Updates > 0 && phase2Updates % every == 0) Checked.Add(Expressivity.Measure(Expressivity.Features(probe, x)).SigmaMin);
        }
    }

    private static (IModel<double> Net, IModel<double> Twin, IModel<double> Probe) Nets(int width, ulong seed)
    {
        var net = ExpressivityTests.SoftplusNet(2, width, 6, 1, seed);
        IModel<double> Over() => NetworkFactory.Create(((INetwork<double>)net).Config, net.Parameters);
        return (net, Over(), Over());
    }

    [Fact]
    public void EveryCheckedStepKeepsSigmaMinAtLeastHalfOfSTau()
    {
        const int n = 16, tau = 0, every = 2;
        var x = NetworkTestKit.UnitRows(n, 6, 31);
        var y = new double[n];
        new GaussianRng(32).FillGaussian(y);
        var (net, twin, probe) = Nets(24, 33);
        // From τ = 0 Adam with a hidden rate 10× the output's (steps of about 0.1 per weight) makes σ_min(Φ) fall fast, so that the rule has to reject.
        var inner = new HiddenLearningRate<double>(new Adam<double>(new OptimizerSettings(0.01)), 10);
        var rule = new TwoPhase<double>(inner, () => Expressivity.Features(twin, x), new TwoPhaseSettings(tau, every));
        var watch = new SigmaWatch(probe, x, tau, every);
        var result = TrainingLoop.Run(net, x, y, rule, new TrainingOptions(60), watch);
        Assert.True(rule.InPhase2, $"{result.Status} at step {result.Steps}, condition {rule.AtTau}");
        Assert.True(rule.AtTau!.Holds);
        Assert.True(result.Status == TrainingStatus.BudgetExhausted, $"{result.Status}: {result.Message}");
        Assert.Equal((60 - tau) / every, watch.Checked.Count);
        Assert.True(rule.Rejections > 0, $"the test should exercise rejections: s_τ {rule.STau:G4}, last kept {rule.KeptSigma:G4}, tried {rule.TriedSigma:G4}, {rule.Checks} checks");
        Assert.Equal(Math.Pow(0.5, rule.Rejections) * 10, rule.HiddenFactor);
        foreach (double s in watch.Checked) Assert.True(s >= 0.5 * rule.STau, $"σ_min {s:G6} < s_τ/2 = {0.5 * rule.STau:G6}");
    }

    /// <summary>The σ_min each check recorded (NaN: certified without its value).</summary>
    private sealed class TriedWatch(Func<TwoPhase<double>> rule, int tau, int every) : ITrainingObserver<double>
    {
        public readonly List<double> Tried = [];
        public void OnStep(in StepState<double> s) { }
        public void AfterUpdate(int nextStep, long nextBatch)
        {
            int phase2Updates = nextStep - tau;
            if (phase2Updates > 0 && phase2Updates % every == 0) Tried.Add(rule().TriedSigma);
        }
    }

    [Fact]
    public void CertifiedChecksMakeTheExactChecksDecisionsBitForBit()
    {
        // The run of the test above (Adam, hidden rate 10×: some checks reject), once with exact checks and once certified.
        const int n = 16, tau = 0, every = 2, steps = 60;
        var x = NetworkTestKit.UnitRows(n, 6, 31);
        var y = new double[n];
        new GaussianRng(32).FillGaussian(y);
        (IModel<double> Net, TwoPhase<double> Rule, List<double> Tried) Run(bool certified)
        {
            var (net, twin, _) = Nets(24, 33);
            var inner = new HiddenLearningRate<double>(new Adam<double>(new OptimizerSettings(0.01)), 10);
            TwoPhase<double>? rule = null;
            rule = new TwoPhase<double>(inner, () => Expressivity.Features(twin, x), new TwoPhaseSettings(tau, every, Certified: certified));
            var watch = new TriedWatch(() => rule, tau, every);
            TrainingLoop.Run(net, x, y, rule, new TrainingOptions(steps), watch);
            return (net, rule, watch.Tried);
        }
        var exact = Run(false);
        var certified = Run(true);
        Assert.True(exact.Rule.Rejections > 0);
        Assert.Equal(exact.Rule.Rejections, certified.Rule.Rejections);
        Assert.Equal(exact.Rule.Checks, certified.Rule.Checks);
        for (int p = 0; p < exact.Net.Parameters.Count; p++)
            Assert.True(exact.Net.Parameters[p].Value.SequenceEqual(certified.Net.Parameters[p].Value), $"{exact.Net.Parameters[p].Name} differs");
        Assert.DoesNotContain(exact.Tried, double.IsNaN);
        int certifiedChecks = certified.Tried.Count(double.IsNaN);
        Assert.True(certifiedChecks > 0 && certifiedChecks < certified.Tried.Count,
            $"{certifiedChecks} of {certified.Tried.Count} checks certified: the test should see both kinds");
        // where a check was not certified it computed σ_min exactly as the exact run did
        for (int i = 0; i < certified.Tried.Count; i++)
            if (!double.IsNaN(certified.Tried[i])) Assert.Equal(exact.Tried[i], certified.Tried[i]);
    }

    [Fact]
    public void ARejectedHiddenUpdateRestoresTheWeightsOfTauExactlyAndHalvesTheHiddenRate()
    {
        const int n = 10, tau = 3;
        var x = NetworkTestKit.UnitRows(n, 6, 41);
        var y = new double[n];
        new GaussianRng(42).FillGaussian(y);
        var (net, _, _) = Nets(20, 43);
        // Φ as the rule sees it: full rank with σ_min = 1 at τ, then σ_min = 0.1 at every check, so every check rejects.
        int calls = 0;
        Matrix<double> Features()
        {
            var m = new Matrix<double>(n, 20);
            for (int i = 0; i < n; i++) m[i, i] = calls == 0 ? 1 : 0.1;
            calls++;
            return m;
        }
        var rule = new TwoPhase<double>(new HiddenLearningRate<double>(new Sgd<double>(new OptimizerSettings(0.05)), 1), Features, new TwoPhaseSettings(tau));
        var atTau = new List<double[]>();
        var observer = new Snapshot(net, tau, atTau);
        TrainingLoop.Run(net, x, y, rule, new TrainingOptions(tau + 3), observer);
        Assert.Equal(3, rule.Rejections);
        Assert.Equal(0.125, rule.HiddenFactor);
        for (int p = 0; p < net.Parameters.Count; p++)
        {
            bool output = HiddenLearningRate<double>.IsOutput(net.Parameters[p].Name);
            if (output) Assert.NotEqual(atTau[p], net.Parameters[p].Value);
            else Assert.True(atTau[p].SequenceEqual(net.Parameters[p].Value), $"{net.Parameters[p].Name} was not restored exactly");
        }
    }

    /// <summary>Copies θ(τ) when step τ is evaluated.</summary>
    private sealed class Snapshot(IModel<double> net, int tau, List<double[]> into) : ITrainingObserver<double>
    {
        public void OnStep(in StepState<double> s)
        {
            if (s.Step == tau) into.AddRange(net.Parameters.Select(p => (double[])p.Value.Clone()));
        }
        public void AfterUpdate(int nextStep, long nextBatch) { }
    }

    private static RunSpec Spec => new()
    {
        Architecture = "fc", Depth = 2, Width = 40, N = 24, D = 5, Activation = "softplus", Parameterization = "standard", Bias = true,
        Loss = "mse", Optimizer = "sgd", Momentum = 0.9, Lr = 0.05, BatchSize = 8, Epochs = 4, Seed = 7, TargetLoss = 0,
    };

    private string Execute(RunSpec spec, string name)
    {
        string dir = tmp.File(name);
        RunExecutor.Execute(spec, dir);
        return dir;
    }

    private static string[] LossColumn(string dir) => File.ReadLines(Path.Combine(dir, "metrics.csv")).Skip(1).Select(l => l.Split(',')[1]).ToArray();

    [Theory]
    [InlineData(4)]       // τ at the end of 4 epochs: never reached
    [InlineData(100)]
    public void TauBeyondTheRunIsTheBaseRunBitForBit(int tau)
    {
        string base_ = Execute(Spec, "base"), twoPhase = Execute(Spec with { TwoPhaseAt = tau }, "two-phase");
        Assert.Equal(File.ReadAllBytes(Path.Combine(base_, "final.safetensors")), File.ReadAllBytes(Path.Combine(twoPhase, "final.safetensors")));
        Assert.Equal(LossColumn(base_), LossColumn(twoPhase));
        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(twoPhase, "two-phase.json")))!;
        Assert.False((bool)record["condition_checked"]!);
    }

    [Fact]
    public void AFailedConditionContinuesAsTheBaseRun()
    {
        var narrow = Spec with { Width = 10 };                        // m = 10 < n = 24: rank Φ ≤ 10
        string base_ = Execute(narrow, "base"), twoPhase = Execute(narrow with { TwoPhaseAt = 2 }, "two-phase");
        Assert.Equal(File.ReadAllBytes(Path.Combine(base_, "final.safetensors")), File.ReadAllBytes(Path.Combine(twoPhase, "final.safetensors")));
        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(twoPhase, "two-phase.json")))!;
        Assert.True((bool)record["condition_checked"]!);
        Assert.False((bool)record["condition_holds"]!);
        Assert.Equal(10, (int)record["rank"]!);
    }

    [Fact]
    public void APhaseTwoRunRecordsTheConditionAndKeepsTheInvariantInItsMetrics()
    {
        string dir = Execute(Spec with { TwoPhaseAt = 2, LrHidden = 0.5 }, "two-phase");
        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "two-phase.json")))!;
        Assert.True((bool)record["condition_holds"]!);
        Assert.Equal(24, (int)record["rank"]!);
        Assert.Equal(6, (int)record["tau_step"]!);                  // 2 epochs of ⌈24/8⌉ steps
        var rows = File.ReadLines(Path.Combine(dir, "metrics.csv")).ToArray();
        var header = rows[0].Split(',');
        int phase = Array.IndexOf(header, "phase"), ratio = Array.IndexOf(header, "sigma_ratio");
        foreach (var row in rows.Skip(1).Select(r => r.Split(',')))
        {
            int step = int.Parse(row[0]);
            Assert.Equal(step > 6 ? "2" : "1", row[phase]);
            if (step > 6) Assert.True(double.Parse(row[ratio], System.Globalization.CultureInfo.InvariantCulture) >= 0.5);
        }
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!;
        Assert.Equal(1, (double)summary["final_probes"]!["condition_holds"]!);
    }

    [Fact]
    public void AResumedTwoPhaseRunEqualsTheUninterruptedOne()
    {
        var spec = Spec with { TwoPhaseAt = 1, LrHidden = 2, CheckpointEvery = 5, TwoPhaseCheckEvery = 2 };
        string whole = Execute(spec, "whole");
        string part = tmp.File("part");
        using (var cancel = new CancellationTokenSource())
        {
            var progress = new Progress(cancel, stopAt: 7);
            RunExecutor.Execute(spec, part, progress, cancel.Token);
        }
        RunExecutor.Resume(part, null);
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "final.safetensors")), File.ReadAllBytes(Path.Combine(part, "final.safetensors")));
        Assert.Equal(File.ReadAllText(Path.Combine(whole, "two-phase.json")), File.ReadAllText(Path.Combine(part, "two-phase.json")));
    }

    /// <summary>Cancels the run once it has measured step <paramref name="stopAt"/> (synchronously, unlike System.Progress).</summary>
    private sealed class Progress(CancellationTokenSource cancel, int stopAt) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) { if (value.Step >= stopAt) cancel.Cancel(); }
    }
}
