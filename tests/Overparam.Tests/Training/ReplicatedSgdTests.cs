using Overparam.Architectures;
using Overparam.Numerics;
using Overparam.Tests.Architectures;
using Overparam.Training;
using Overparam.Training.Losses;
using Overparam.Training.Optimizers;

namespace Overparam.Tests.Training;

/// <summary>Replicated-SGD (docs/mathematics.md §11.3): its limit y = 1, its coupling gradient, the centre, the replica batches and the γ schedules.</summary>
public class ReplicatedSgdTests
{
    private static readonly Matrix<double> X = NetworkTestKit.UnitRows(8, 3, 4);
    private static readonly double[] Y = [0.5, -1, 0.3, 0.8, -0.2, 1.1, -0.7, 0.1];

    private static INetwork<double> Net(ulong seed = 2) => NetworkTestKit.Network("fc", 2, 6, 3, "tanh", seed);

    private static OptimizerSettings Replicated(int y) => new(0.1)
    {
        Replicas = y, Momentum = 0.9, Nesterov = true, WeightDecay = 1e-3, Gamma0 = 0.3, Gamma1 = 0.5,
    };

    [Fact]
    public void OneReplica_IsSgd_BitForBit()
    {
        var plan = new BatchPlan(8, 2, shuffle: true, seed: 5);
        var sgdNet = Net();
        TrainingLoop.Run<double>(sgdNet, X, Y, new Sgd<double>(new OptimizerSettings(0.1) { Momentum = 0.9, Nesterov = true, WeightDecay = 1e-3 }),
            new TrainingOptions(6, Batches: plan));
        var replica = Net();
        TrainingLoop.Run<double>(new ReplicaModel<double>([replica]), X, Y, new ReplicatedSgd<double>(Replicated(1)),
            new TrainingOptions(6, Batches: new BatchPlan(8, 2, shuffle: true, seed: 5, replicas: 1)));
        for (int p = 0; p < sgdNet.Parameters.Count; p++) Assert.Equal(sgdNet.Parameters[p].Value, replica.Parameters[p].Value);
    }

    /// <summary>
    /// With zero data gradients and no momentum or decay, one step moves replica a by y·η·∂L_tot/∂w^a; that gradient is
    /// compared with central finite differences of the coupling term written here, C(w) = γ (1/y) Σ_a ‖w^a − w̄(w)‖²
    /// (w̄ moving with every replica), and with 2γ(w^a − w̄)/y.
    /// </summary>
    [Fact]
    public void CouplingGradient_IsTwoGammaOverYTimesTheDistanceToTheCentre_ByFiniteDifferences()
    {
        const int y = 3;
        double gamma = 0.7, eta = 0.05;
        double[][] w0 = [[1.0, -0.5], [0.2, 0.4], [-0.6, 1.5]];
        var model = new ScriptedModel<double>(w0.Select((w, a) => ($"replica-{a}/w", w)).ToArray(), [w0.Select(_ => new double[2]).ToArray()]);
        new ReplicatedSgd<double>(new OptimizerSettings(eta) { Replicas = y, Gamma0 = gamma, Gamma1 = 0 })
            .Step(new OptimizerStep<double> { Model = model, OutputGradient = [] });

        static double Coupling(double[][] w, double gamma)
        {
            double c = 0;
            for (int j = 0; j < w[0].Length; j++)
            {
                double centre = w.Average(r => r[j]);
                c += w.Sum(r => (r[j] - centre) * (r[j] - centre));
            }
            return gamma * c / w.Length;
        }
        for (int a = 0; a < y; a++)
            for (int j = 0; j < 2; j++)
            {
                double h = 1e-6;
                var plus = w0.Select(r => (double[])r.Clone()).ToArray();
                var minus = w0.Select(r => (double[])r.Clone()).ToArray();
                plus[a][j] += h;
                minus[a][j] -= h;
                double finite = (Coupling(plus, gamma) - Coupling(minus, gamma)) / (2 * h);
                double centre = w0.Average(r => r[j]);
                double formula = 2 * gamma * (w0[a][j] - centre) / y;
                double fromStep = (w0[a][j] - model.Value(a)[j]) / (y * eta);
                Assert.True(Math.Abs(finite - formula) < 1e-8, $"replica {a}, w[{j}]: finite differences {finite:R}, formula {formula:R}");
                Assert.True(Math.Abs(fromStep - formula) < 1e-12, $"replica {a}, w[{j}]: the step's gradient {fromStep:R}, formula {formula:R}");
            }
    }

    /// <summary>
    /// Two steps of y = 3 replicas with momentum, Nesterov and weight decay on scripted data gradients, for parameters of
    /// 4096 + 7 and 2 coordinates (two blocks and a short one), against the update written here per coordinate with the
    /// same roundings: w̄ from all replicas before any moves (summed in order, then divided by y), g ← ∇ + (2γ/y)(w − w̄)
    /// + λw, PyTorch's SGD with step y·η. Equal bit for bit.
    /// </summary>
    [Fact]
    public void TwoSteps_EqualTheUpdatePerCoordinate()
    {
        const int y = 3, steps = 2;
        int[] lengths = [4096 + 7, 2];
        double eta = 0.05, gamma = 0.3, mu = 0.9, lambda = 1e-3;
        var rng = new Random(4);
        double[] Random(int n) => Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var w0 = Enumerable.Range(0, y).SelectMany(_ => lengths.Select(Random)).ToArray();     // replica a's parameter q at a·2 + q
        var script = Enumerable.Range(0, steps).Select(_ => w0.Select(v => Random(v.Length)).ToArray()).ToArray();

        var w = w0.Select(v => (double[])v.Clone()).ToArray();
        var b = w0.Select(v => new double[v.Length]).ToArray();
        double coupling = 2 * gamma / y;
        for (int k = 0; k < steps; k++)
            for (int q = 0; q < lengths.Length; q++)
            {
                var centre = new double[lengths[q]];
                for (int j = 0; j < centre.Length; j++) centre[j] = (w[q][j] + w[2 + q][j] + w[4 + q][j]) / y;
                for (int a = 0; a < y; a++)
                {
                    int p = 2 * a + q;
                    for (int j = 0; j < centre.Length; j++)
                    {
                        double g = Math.FusedMultiplyAdd(w[p][j] - centre[j], coupling, script[k][p][j]);
                        g = Math.FusedMultiplyAdd(w[p][j], lambda, g);
                        b[p][j] = k == 0 ? g : Math.FusedMultiplyAdd(g, 1, b[p][j] * mu);
                        g = Math.FusedMultiplyAdd(b[p][j], mu, g);
                        w[p][j] = Math.FusedMultiplyAdd(g, -(y * eta), w[p][j]);
                    }
                }
            }

        var model = new ScriptedModel<double>(w0.Select((v, p) => ($"replica-{p / 2}/w{p % 2}", v)).ToArray(), script);
        var optimizer = new ReplicatedSgd<double>(new OptimizerSettings(eta) { Replicas = y, Momentum = mu, Nesterov = true, WeightDecay = lambda, Gamma0 = gamma, Gamma1 = 0 });
        for (int k = 0; k < steps; k++) optimizer.Step(new OptimizerStep<double> { Step = k, Model = model, OutputGradient = [] });
        for (int p = 0; p < w.Length; p++) Assert.Equal(w[p], model.Value(p));
    }

    [Fact]
    public void CentreOfMass_IsTheParameterAverage()
    {
        var nets = new[] { Net(1), Net(2), Net(3) };
        var model = new ReplicaModel<double>(nets);
        for (int q = 0; q < nets[0].Parameters.Count; q++)
        {
            var centre = new double[nets[0].Parameters[q].Value.Length];
            CentreOfMass.Average(model.Parameters, 3, q, centre);
            var average = centre.Select((_, i) => (nets[0].Parameters[q].Value[i] + nets[1].Parameters[q].Value[i] + nets[2].Parameters[q].Value[i]) / 3).ToArray();
            Assert.Equal(average, centre);
        }
    }

    /// <summary>
    /// A block [start, start + length) of w̄ for y = 1 … 4 replicas, whole vectors and tails, is the sum in replica order
    /// divided by y, every operation rounded, coordinate by coordinate.
    /// </summary>
    [Fact]
    public void CentreOfMassOfABlock_IsTheSumInOrderOverY()
    {
        var rng = new Random(8);
        foreach (int y in new[] { 1, 2, 3, 4 })
        {
            var ps = Enumerable.Range(0, y).Select(a => new Parameter<double>($"replica-{a}/w", [37], Enumerable.Range(0, 37).Select(_ => rng.NextDouble() - 0.5).ToArray())).ToArray();
            foreach (var (start, length) in new[] { (0, 37), (5, 16), (9, 3) })
            {
                var centre = new double[length];
                CentreOfMass.Average(ps, y, 0, start, centre);
                for (int j = 0; j < length; j++)
                {
                    double sum = ps[0].Value[start + j];
                    for (int a = 1; a < y; a++) sum += ps[a].Value[start + j];
                    Assert.Equal(sum / y, centre[j]);
                }
            }
        }
    }

    /// <summary>A batch of y·r rows: replica a computes rows [a·r, (a+1)·r), and its gradient is that of its own chunk.</summary>
    [Fact]
    public void ReplicaModel_SplitsTheBatchIntoOneChunkPerReplica()
    {
        var nets = new[] { Net(1), Net(2) };
        var model = new ReplicaModel<double>(nets);
        Assert.Equal(["replica-0/W1", "replica-0/W2", "replica-0/a", "replica-1/W1", "replica-1/W2", "replica-1/a"], model.Parameters.Select(p => p.Name));
        var u = new double[8];
        model.Forward(X, u);
        model.Backward(u.Zip(Y, (a, b) => a - b).ToArray());
        var g = model.Parameters.Select(p => new double[p.Value.Length]).ToArray();
        model.Gradients(g);
        for (int a = 0; a < 2; a++)
        {
            var reference = Net((ulong)a + 1);
            var chunk = new Matrix<double>(4, 3, X.Data[(a * 12)..((a + 1) * 12)]);
            var ua = new double[4];
            reference.Forward(chunk, ua);
            Assert.Equal(ua, u[(a * 4)..((a + 1) * 4)]);
            reference.BackPropagate();
            var ga = reference.Parameters.Select(p => new double[p.Value.Length]).ToArray();
            reference.Gradients(ua.Zip(Y[(a * 4)..((a + 1) * 4)], (p, q) => p - q).ToArray(), ga);
            for (int q = 0; q < 3; q++) Assert.Equal(ga[q], g[a * 3 + q]);
        }
    }

    [Fact]
    public void ReplicaBatches_AreOneStreamPerReplica_TheFirstBeingThePlainPlans()
    {
        var plain = new BatchPlan(10, 3, shuffle: true, seed: 9);
        var replicated = new BatchPlan(10, 3, shuffle: true, seed: 9, replicas: 3);
        for (long k = 0; k < 9; k++)
        {
            var batch = replicated.Batch(k).ToArray();
            int r = plain.Batch(k).Length;
            Assert.Equal(3 * r, batch.Length);
            Assert.Equal(plain.Batch(k).ToArray(), batch[..r]);
            for (int a = 0; a < 3; a++)
                Assert.Equal(replicated.Order(replicated.Epoch(k), a).AsSpan((int)(k % 4) * 3, r).ToArray(), batch[(a * r)..((a + 1) * r)]);
        }
        Assert.NotEqual(replicated.Order(0, 1), replicated.Order(0, 2));
        var ordered = new BatchPlan(10, 3, shuffle: false, replicas: 2);
        Assert.Equal([0, 1, 2, 5, 6, 7], ordered.Batch(0).ToArray());   // replica 1 starts at sample ⌊10/2⌋
    }

    [Fact]
    public void BalancedGamma0_IsTheFirstLossOverTheMeanSquaredDistance()
    {
        var nets = new[] { Net(1), Net(2) };
        var model = new ReplicaModel<double>(nets);
        var optimizer = new ReplicatedSgd<double>(new OptimizerSettings(0.1) { Replicas = 2, Epochs = 10 });
        var before = model.Parameters.Select(p => (double[])p.Value.Clone()).ToArray();
        double loss = double.NaN;
        TrainingLoop.Run<double>(model, X, Y, optimizer, new TrainingOptions(1, Batches: new BatchPlan(8, 4, shuffle: false, replicas: 2)),
            new FirstLoss(l => loss = double.IsNaN(loss) ? l : loss));
        double distance = 0;
        for (int q = 0; q < 3; q++)
            for (int i = 0; i < before[q].Length; i++)
            {
                double centre = (before[q][i] + before[3 + q][i]) / 2;
                distance += Math.Pow(before[q][i] - centre, 2) + Math.Pow(before[3 + q][i] - centre, 2);
            }
        Assert.Equal(loss / (distance / 2), optimizer.Gamma0, 1e-12);
        Assert.Equal(optimizer.Gamma0 * Math.Pow(1e4, 3 / 10.0), optimizer.Gamma(0, 3), 1e-9);
    }

    private sealed class FirstLoss(Action<double> onLoss) : ITrainingObserver<double>
    {
        public void OnStep(in StepState<double> s) => onLoss(s.Loss);
    }

    [Fact]
    public void Schedules_FollowTheirFormulas()
    {
        var exp = new CouplingSchedule("exp", null, 100, 4, true);
        Assert.Equal(2 * Math.Pow(100, 0.75), exp.At(2, 3), 1e-12);                     // E − 1 = 3 increases: γ0·γmax^(3/4)
        var lin = new CouplingSchedule("lin", null, 100, 4, true);
        Assert.Equal(2 + 2 * 99 / 4.0 * 3, lin.At(2, 3), 1e-12);
        var cosine = new CouplingSchedule("cosine", null, 100, 4, false);
        Assert.Equal(50 * (1 - Math.Cos(Math.PI / 4)), cosine.At(0, 0), 1e-12);         // advanced once: coupled from the first epoch
        Assert.Equal(100, cosine.At(0, 3), 1e-12);
        Assert.Contains("--gamma-schedule cosine", Assert.Throws<ArgumentException>(() => new CouplingSchedule("cosine", 0.1, 100, 4, false)).Message);
        Assert.Contains("--gamma-schedule step: expected one of exp, lin, cosine", Assert.Throws<ArgumentException>(() => new CouplingSchedule("step", null, 100, 4, false)).Message);
    }

    [Fact]
    public void NoReplicas_IsAnError()
    {
        Assert.Equal("--replicas 0: must be at least 1", Assert.Throws<ArgumentException>(() => new ReplicatedSgd<double>(new OptimizerSettings(0.1) { Replicas = 0, Epochs = 1 })).Message);
    }
}
