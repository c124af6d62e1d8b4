using System.Text.Json.Nodes;
using Overparam.Activations;
using Overparam.Architectures;
using Overparam.Measures;
using Overparam.Numerics;
using Overparam.Training;
using Overparam.Training.Losses;
using Overparam.Training.Optimizers;

namespace Overparam.Bench.Cases;

/// <summary>
/// Issue 14's speed figures. (1) The SVD of Φ for n = 1000, m = 1536 in float64 (LAPACK dgesdd, values only: what the
/// expressivity measurement and the switch at τ run), σ_min and σ_max by the Gram route (dsyrk + dsyevr, what a phase-2
/// check runs), and the forward pass that computes Φ. (2) The cost of an
/// epoch of A(SGD) against SGD when σ_min(Φ) is checked once per epoch: a softplus fc net 64 → 1536 → 1536 → 10 (standard
/// parameterization, biases), n = 1000, batch 64, SGD momentum 0.9, cross-entropy; τ = 0, and the timed epoch is the second (phase 2 throughout, one check at its end).
/// The two are timed alternately, one epoch each per round, medians compared.
/// </summary>
public sealed class ExpressivityCase : IBenchCase
{
    public string Name => "expressivity";
    public IReadOnlyCollection<string> Tags => [Name, "two-phase"];

    public void Run(BenchContext ctx)
    {
        const int n = 1000, m = 1536, d = 64, classes = 10;
        var config = new NetworkConfig(Architecture.Parse("fc"), 2, m, d, Activation.Parse("softplus"), Outputs: classes,
            Parameterization: Parameterization.Standard, Bias: true);
        var x = new Matrix<double>(n, d);
        var rng = new GaussianRng(1);
        rng.FillGaussian(x.Data);
        var y = Enumerable.Range(0, n).Select(i => (double)(i % classes)).ToArray();

        var probe = NetworkFactory.Create(config, NetworkFactory.Initialize<double>(config, new GaussianRng(2)));
        var phi = Expressivity.Features(probe, x);
        var svd = Summary.Of(Timing.Measure(() => LinearAlgebra.SingularValues(phi), warmup: 1, samples: Math.Max(ctx.Steps, 3)));
        var forward = Summary.Of(Timing.Measure(() => Expressivity.Features(probe, x), warmup: 1, samples: Math.Max(ctx.Steps, 3)));
        var gram = Summary.Of(Timing.Measure(() => Expressivity.Extremes(phi), warmup: 1, samples: Math.Max(ctx.Steps, 3)));
        var e = Expressivity.Measure(phi);
        var g = Expressivity.Extremes(phi);
        bool certifies = Expressivity.CertifiesSigmaMinAbove(phi, 0.5 * e.SigmaMin);
        var certify = Summary.Of(Timing.Measure(() => Expressivity.CertifiesSigmaMinAbove(phi, 0.5 * e.SigmaMin), warmup: 1, samples: Math.Max(ctx.Steps, 3)));
        ctx.Add(new Row("phi-svd", $"dgesdd values of Φ {n}×{m} float64", svd.ToString(), "", "", $"rank {e.Rank}, κ {e.Kappa:G3}; Φ's forward pass {Summary.Format(forward.Median)}"));
        ctx.Add(new Row("phi-gram-sigma", $"σ_min, σ_max of Φ {n}×{m} by dsyrk + dsyevr", gram.ToString(), "", "",
            $"by SVD: {g.BySvd}; σ_min relative to dgesdd's {Math.Abs(g.SigmaMin / e.SigmaMin - 1):G2}, σ_max {Math.Abs(g.SigmaMax / e.SigmaMax - 1):G2}; SVD/Gram time {svd.Median / gram.Median:F1}×"));
        ctx.Add(new Row("phi-certify", $"σ_min(Φ) > σ_min/2 certified by dsyrk + dpotrf, Φ {n}×{m}", certify.ToString(), "", "",
            $"certified: {certifies}; Gram route / certificate time {gram.Median / certify.Median:F1}×"));

        var plan = new BatchPlan(n, 64, true, 7);
        double Epoch(bool twoPhase, bool certified, IModel<double> net, IModel<double> twin)
        {
            IOptimizer<double> sgd = new Sgd<double>(new OptimizerSettings(0.01) { Momentum = 0.9 });
            if (twoPhase) sgd = new TwoPhase<double>(new HiddenLearningRate<double>(sgd, 1), () => Expressivity.Features(twin, x),
                new TwoPhaseSettings(0, plan.StepsPerEpoch, Certified: certified));
            int e = plan.StepsPerEpoch;
            TrainingLoop.Run(net, x, y, sgd, new TrainingOptions(e, Batches: plan), loss: CrossEntropy.Instance);   // epoch 0 (with the switch at τ = 0), untimed
            long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
            TrainingLoop.Run(net, x, y, sgd, new TrainingOptions(2 * e, Batches: plan, StartStep: e, InitialLoss: 10), loss: CrossEntropy.Instance);
            return System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;                                        // epoch 1: phase 2, one check
        }
        var baseTimes = new List<double>();
        var twoTimes = new List<double>();
        var certifiedTimes = new List<double>();
        for (int round = 0; round < ctx.Rounds + 3; round++)
        {
            var p1 = NetworkFactory.Initialize<double>(config, new GaussianRng(3));
            var p2 = NetworkFactory.Initialize<double>(config, new GaussianRng(3));
            var p3 = NetworkFactory.Initialize<double>(config, new GaussianRng(3));
            double b = Epoch(false, false, NetworkFactory.Create(config, p1), NetworkFactory.Create(config, p1));
            double t = Epoch(true, false, NetworkFactory.Create(config, p2), NetworkFactory.Create(config, p2));
            double c = Epoch(true, true, NetworkFactory.Create(config, p3), NetworkFactory.Create(config, p3));
            if (round == 0) continue;                                     // warm-up
            baseTimes.Add(b); twoTimes.Add(t); certifiedTimes.Add(c);
        }
        var sb = Summary.Of(baseTimes);
        var st = Summary.Of(twoTimes);
        var sc = Summary.Of(certifiedTimes);
        ctx.Add(new Row("two-phase-epoch", $"A(SGD) vs SGD, one epoch n={n} B=64 fc {d}-{m}-{m}-{classes}", st.ToString(), "", "",
            $"SGD {sb}; ratio of medians {st.Median / sb.Median:F3} (one check per epoch = a forward pass over n + dsyrk + dsyevr); forward over n / SGD epoch {forward.Median / sb.Median:F3}"));
        ctx.Add(new Row("two-phase-epoch-certified", $"A(SGD) with --two-phase-check certified vs SGD, same epoch", sc.ToString(), "", "",
            $"ratio of medians {sc.Median / sb.Median:F3} (a forward pass over n + dsyrk + dpotrf); rounds {string.Join(", ", certifiedTimes.Zip(baseTimes, (x1, x2) => (x1 / x2).ToString("F2")))}"));
        var j = BenchContext.Json(svd);
        j["gram_sigma_median_s"] = gram.Median;
        j["forward_median_s"] = forward.Median; j["epoch_sgd_median_s"] = sb.Median; j["epoch_two_phase_median_s"] = st.Median;
        j["ratio"] = st.Median / sb.Median;
        j["certify_median_s"] = certify.Median; j["epoch_two_phase_certified_median_s"] = sc.Median; j["ratio_certified"] = sc.Median / sb.Median;
        ctx.Record(Name, j);
    }
}
