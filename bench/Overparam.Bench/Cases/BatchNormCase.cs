using System.Text.Json.Nodes;
using Overparam.Activations;
using Overparam.Architectures;
using Overparam.Numerics;
using Overparam.Training;
using Overparam.Training.Losses;
using Overparam.Training.Optimizers;

namespace Overparam.Bench.Cases;

/// <summary>
/// The cost of --batch-norm (docs/mathematics.md §2.6): one epoch of SGD (momentum 0.9, batch 64, cross-entropy) on
/// Kawaguchi &amp; Sun's residual net, 64 → 256, two residual blocks at 256, a widening layer 256 → 1536, softplus, 10
/// outputs (resnet, depth 4, standard parameterization), n = 1200, with and without batch norm on every layer. The two
/// are timed alternately, one epoch each per round; the ratio of the medians is the price of batch norm per step.
/// </summary>
public sealed class BatchNormCase : IBenchCase
{
    public string Name => "batch-norm";
    public IReadOnlyCollection<string> Tags => [Name, "resnet"];

    public void Run(BenchContext ctx)
    {
        const int n = 1200, d = 64, classes = 10;
        var plain = new NetworkConfig(Architecture.Parse("resnet"), 4, 256, d, Activation.Parse("softplus"), Outputs: classes,
            Parameterization: Parameterization.Standard, FeatureWidth: 1536);
        var normalized = plain with { BatchNorm = true };
        var x = new Matrix<double>(n, d);
        new GaussianRng(1).FillGaussian(x.Data);
        var y = Enumerable.Range(0, n).Select(i => (double)(i % classes)).ToArray();
        var plan = new BatchPlan(n, 64, true, 7);

        double Epoch(NetworkConfig config)
        {
            var net = NetworkFactory.Create(config, NetworkFactory.Initialize<double>(config, new GaussianRng(3)));
            if (net is IBatchNormModel<double> bn) bn.BatchStatistics = true;
            var sgd = new Sgd<double>(new OptimizerSettings(0.01) { Momentum = 0.9 });
            TrainingLoop.Run(net, x, y, sgd, new TrainingOptions(3, Batches: plan), loss: CrossEntropy.Instance);   // warm-up steps, untimed
            long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
            TrainingLoop.Run(net, x, y, sgd, new TrainingOptions(3 + plan.StepsPerEpoch, Batches: plan, StartStep: 3, InitialLoss: 10), loss: CrossEntropy.Instance);
            return System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        var without = new List<double>();
        var with = new List<double>();
        for (int round = 0; round < ctx.Rounds + 3; round++)
        {
            double a = Epoch(plain), b = Epoch(normalized);
            if (round == 0) continue;                                     // warm-up
            without.Add(a); with.Add(b);
        }
        var sa = Summary.Of(without);
        var sb = Summary.Of(with);
        ctx.Add(new Row(Name, $"SGD epoch, resnet {d}-256-256-256-1536-{classes}, n={n}, B=64, with vs without batch norm", sb.ToString(), "", "",
            $"without {sa}; ratio of medians {sb.Median / sa.Median:F3} ({plan.StepsPerEpoch} steps per epoch)"));
        var j = BenchContext.Json(sb);
        j["epoch_without_median_s"] = sa.Median; j["epoch_with_median_s"] = sb.Median; j["ratio"] = sb.Median / sa.Median;
        ctx.Record(Name, j);
    }
}
