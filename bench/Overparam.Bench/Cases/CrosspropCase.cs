using System.Diagnostics;
using System.Text.Json.Nodes;
using Overparam.Activations;
using Overparam.Data;
using Overparam.IO;
using Overparam.Online;

namespace Overparam.Bench.Cases;

/// <summary>
/// Examples per second of the online learners (issue 15), float64, one thread, against bench/numpy_crossprop.py (the same
/// updates in NumPy, one example at a time as the authors' code): cp and bp on continual GEOFF (21 inputs, 500 hidden,
/// 1 output), cp-alt and bp on Fashion-MNIST (784 inputs, 1024 hidden, 10 softmax outputs). Both sides start from the
/// same weights on the same examples (written to a scratch safetensors file); ours first runs for a second untimed (so
/// that the JIT's optimized code is in place), then rounds alternate ours and NumPy's, each after 50 untimed examples;
/// the final W of both are compared.
/// </summary>
public sealed class CrosspropCase : IBenchCase
{
    public string Name => "crossprop";
    public IReadOnlyCollection<string> Tags => [Name, "online", "numpy", "float64"];

    private sealed record Setup(string Label, string Learner, OnlineStream Stream, int Hidden, int Examples);

    private const int Warmup = 50;
    private const double Alpha = 0.0005;

    public void Run(BenchContext ctx)
    {
        var runner = TorchRunner.TryCreate(ctx.Options, out var reason);   // its python, core type and thread settings
        if (runner is null) ctx.Notes.Add($"crossprop: NumPy side skipped ({reason})");
        int geoffExamples = ctx.Options.Quick ? 500 : 4000, fashionExamples = ctx.Options.Quick ? 100 : 600;
        var geoff = OnlineStream.Geoff(20, 1000, 1, 1, Warmup + geoffExamples, 0, 1);
        var setups = new List<Setup> { new("GEOFF 21-500-1", "cp", geoff, 500, geoffExamples), new("GEOFF 21-500-1", "bp", geoff, 500, geoffExamples) };
        if (IdxData.HasPart(DataSpec.FashionMnistDirectory, IdxPart.Train))
        {
            var fashion = OnlineStream.FashionRoll(DataSpec.FashionMnistDirectory, 1, 1, Warmup + fashionExamples, 1);
            setups.Add(new("Fashion-MNIST 785-1024-10", "cp-alt", fashion, 1024, fashionExamples));
            setups.Add(new("Fashion-MNIST 785-1024-10", "bp", fashion, 1024, fashionExamples));
        }
        else ctx.Notes.Add("crossprop: Fashion-MNIST not installed, its cases skipped");
        string scratch = Directory.CreateTempSubdirectory("overparam-bench-crossprop-").FullName;
        try
        {
            foreach (var s in setups) RunOne(ctx, runner, s, scratch);
        }
        finally { Directory.Delete(scratch, true); }
    }

    private void RunOne(BenchContext ctx, TorchRunner? runner, Setup s, string scratch)
    {
        var init = OnlineWeights.Normal(s.Stream.Inputs, s.Hidden, s.Stream.Outputs, 2);
        int total = Warmup + s.Examples, m = s.Stream.Inputs + 1;
        var x = new double[total * m];
        var y = new double[total];
        for (int t = 0; t < total; t++) { s.Stream[t].X.Span.CopyTo(x.AsSpan(t * m, m)); y[t] = s.Stream[t].Y; }
        string file = Path.Combine(scratch, $"{s.Learner}-{s.Stream.Kind}.safetensors");
        SafeTensors.Write(file, [Tensor.F64("X", [total, m], x), Tensor.F64("y", [total], y),
            Tensor.F64("U0", [m, s.Hidden], init.U), Tensor.F64("W0", [s.Stream.Outputs, s.Hidden + 1], init.W)]);
        var kind = LearnerKind.TryParse(s.Learner)!;
        var ours = new List<double>();
        var theirs = new List<double>();
        double[] finalW = [];
        JsonObject? last = null;
        int rounds = Math.Max(3, ctx.Rounds);
        var warm = new OnlineLearner(kind, init, new Tanh(), new LearnerSettings(Alpha, Alpha));   // the JIT's optimized code first
        for (var clock = Stopwatch.StartNew(); clock.Elapsed.TotalSeconds < 1;)
            for (int t = 0; t < total; t++) warm.Learn(x.AsSpan(t * m, m), y[t]);
        for (int round = 0; round < rounds; round++)
        {
            var learner = new OnlineLearner(kind, init, new Tanh(), new LearnerSettings(Alpha, Alpha));
            for (int t = 0; t < Warmup; t++) learner.Learn(x.AsSpan(t * m, m), y[t]);
            var clock = Stopwatch.StartNew();
            for (int t = Warmup; t < total; t++) learner.Learn(x.AsSpan(t * m, m), y[t]);
            ours.Add(s.Examples / clock.Elapsed.TotalSeconds);
            finalW = learner.W.ToArray();
            if (runner is null) continue;
            last = runner.RunBenchScript("numpy_crossprop.py",
                ["--file", file, "--learner", s.Learner, "--alpha", Alpha.ToString("R"), "--examples", s.Examples.ToString(), "--warmup", Warmup.ToString()],
                TimeSpan.FromMinutes(10));
            theirs.Add((double)last["examples_per_second"]!);
            Console.WriteLine($"    {s.Learner} {s.Label} round {round + 1}: ours {ours[^1]:F0} ex/s, numpy {theirs[^1]:F0} ex/s");
        }
        var o = Summary.Of(ours);
        string note = "";
        var result = new JsonObject { ["learner"] = s.Learner, ["stream"] = s.Label, ["examples"] = s.Examples, ["ours_examples_per_second"] = BenchContext.Json(o) };
        if (last is not null)
        {
            var t = Summary.Of(theirs);
            var ratios = ours.Zip(theirs, (a, b) => a / b).ToArray();
            var w = last["W"]!.AsArray().Select(v => (double)v!).ToArray();
            double diff = w.Select((v, i) => Math.Abs(v - finalW[i])).Max();
            note = $"numpy {t.Median:F0} ex/s (min {t.Min:F0}, max {t.Max:F0}); **ours/numpy {o.Median / t.Median:F1}** (rounds {string.Join(", ", ratios.Select(r => r.ToString("F1")))}); max |W_ours − W_numpy| over 8 entries {diff:G2}";
            result["numpy_examples_per_second"] = BenchContext.Json(t);
            result["ratio_median"] = o.Median / t.Median;
            result["w_max_abs_difference"] = diff;
            result["numpy"] = (string?)last["numpy"];
        }
        ctx.Add(new Row(Name, $"{s.Learner}, {s.Label}", $"{1e6 / o.Max:F1} / {1e6 / o.Median:F1} / {1e6 / o.Min:F1} µs", $"{s.Examples} examples × {rounds}", $"{o.Median:F0} ex/s", note));
        ctx.Record($"{Name}-{s.Learner}-{s.Stream.Kind}", result);
    }
}
