using System.Text.Json.Nodes;
using Overparam.Experiments;
using Overparam.Measures;
using Overparam.Numerics;

namespace Overparam.Bench.Cases;

/// <summary>
/// `overparam flatness` at issue 13's size: M = 20 draws × 21 σ (0, 0.05, …, 1) of the training error of the flatness
/// study's Fashion-MNIST net (<see cref="FlatMinimaStepCase.Spec"/>, 10k training samples, 3 epochs of SGD), on 1 and
/// on --threads threads, alternating (BLAS and element-wise work on one thread, as the command sets them). Reports the
/// seconds, the speed-up and whether the curves are identical.
/// </summary>
public sealed class FlatnessCase : IBenchCase
{
    public string Name => "flatness";
    public IReadOnlyCollection<string> Tags => [Name, "flat-minima", "float64"];

    public void Run(BenchContext ctx)
    {
        if (!Classifier.DataAvailable) { ctx.Add(new Row(Name, "flatness", "skipped", "", "", "Fashion-MNIST not installed")); return; }
        string root = Classifier.ScratchRoot(), dir = Path.Combine(root, "flatness");
        int blas = LinearAlgebra.Backend.Threads, chunks = Chunks.Threads;
        try
        {
            RunExecutor.Execute(FlatMinimaStepCase.Spec("sgd", 3, ctx.Options.Quick), dir);
            var sigmas = Enumerable.Range(0, 21).Select(i => i / 20.0).ToArray();
            LinearAlgebra.Backend.Threads = 1;
            Chunks.Threads = 1;
            LocalEnergyCurve Measure(int threads) => FlatnessRun.Measure(new FlatnessRun.Request(dir, "final", "train-error",
                new LocalEnergyOptions(sigmas, 20, 1) { Threads = threads }));
            Measure(ctx.Options.Threads);                                                  // warm-up
            var one = new List<double>();
            var many = new List<double>();
            LocalEnergyCurve? a = null, b = null;
            for (int round = 0; round < Math.Max(3, ctx.Rounds); round++)
            {
                long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                a = Measure(1);
                one.Add(System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds);
                t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                b = Measure(ctx.Options.Threads);
                many.Add(System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds);
            }
            bool same = a!.Energy == b!.Energy && a.Points.Zip(b.Points).All(p => p.First.Mean == p.Second.Mean && p.First.StandardError.Equals(p.Second.StandardError));
            Summary s1 = Summary.Of(one), sn = Summary.Of(many);
            ctx.Add(new Row(Name, "20 draws × 21 σ, 1 thread", s1.ToString(), "420 train-error evaluations", "", $"10k samples, fc 784-128-128-10; δE(σ = 0.5) = {a.Points[10].Mean:G4}"));
            ctx.Add(new Row("", $"  {ctx.Options.Threads} threads", sn.ToString(), "", $"speed-up {s1.Median / sn.Median:F2}×", same ? "curves identical to the 1-thread run" : "curves DIFFER from the 1-thread run"));
            var json = new JsonObject { ["one_thread"] = BenchContext.Json(s1), ["threads"] = ctx.Options.Threads, ["many_threads"] = BenchContext.Json(sn), ["identical"] = same };
            ctx.Record(Name, json);
        }
        finally
        {
            (LinearAlgebra.Backend.Threads, Chunks.Threads) = (blas, chunks);
            if (Directory.Exists(root)) Directory.Delete(root, true);
        }
    }
}
