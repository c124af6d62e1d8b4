using Overparam.Activations;
using Overparam.Architectures;
using Overparam.IO;
using Overparam.Numerics;
using Overparam.Tests.Architectures;
using Overparam.Tests.Cli;
using Overparam.Training;
using Overparam.Training.Optimizers;

namespace Overparam.Tests.Training;

/// <summary>A trivial optimizer plugged into the loop and into `overparam train` through one class and one registration.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class OptimizerSeamTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    /// <summary>Sign descent: θ ← θ − η·sign(∂L/∂θ), stateless.</summary>
    private sealed class SignDescent(double eta) : IOptimizer<double>
    {
        public string Name => "sign-descent";
        public double LearningRate { get; set; } = eta;

        public void Step(in OptimizerStep<double> step)
        {
            var ps = step.Model.Parameters;
            var g = ps.Select(p => new double[p.Value.Length]).ToArray();
            step.Model.Gradients(g, step.Trained);
            for (int p = 0; p < ps.Count; p++)
                if (step.Trains(p))
                    for (int k = 0; k < g[p].Length; k++) ps[p].Value[k] -= LearningRate * Math.Sign(g[p][k]);
        }

        public IReadOnlyList<Tensor> SaveState() => [];
        public void RestoreState(IReadOnlyDictionary<string, Tensor> state) { }
    }

    private sealed class SignDescentKind : OptimizerKind
    {
        public override string Name => "sign-descent";
        public override string Description => "sign-descent: θ ← θ − η sign(∂L/∂θ) (a test's optimizer)";
        public override IOptimizer<T> Create<T>(OptimizerSettings settings) => (IOptimizer<T>)(object)new SignDescent(settings.LearningRate);
    }

    static OptimizerSeamTests()
    {
        if (OptimizerKind.TryParse("sign-descent") is null) OptimizerKind.Register(new SignDescentKind());
    }

    /// <summary>
    /// ∂L/∂θ of the two-layer fc net by hand (eq. 2 with H = 1, tanh): u_i = Σ_r a_r s tanh(w_r·x_i), s = sqrt(c_σ/m),
    /// ∂L/∂a_r = Σ_i r_i s tanh(w_r·x_i), ∂L/∂w_rj = Σ_i r_i a_r s (1 − tanh²(w_r·x_i)) x_ij, r_i = u_i − y_i.
    /// </summary>
    private static (double[] GW, double[] GA) HandGradient(double[] w, double[] a, Matrix<double> x, double[] y, double cSigma)
    {
        int m = a.Length, d = x.Cols, n = x.Rows;
        double s = Math.Sqrt(cSigma / m);
        var gw = new double[m * d];
        var ga = new double[m];
        for (int i = 0; i < n; i++)
        {
            double u = 0;
            for (int r = 0; r < m; r++) u += a[r] * s * Math.Tanh(Dot(w, r, x, i));
            double res = u - y[i];
            for (int r = 0; r < m; r++)
            {
                double t = Math.Tanh(Dot(w, r, x, i));
                ga[r] += res * s * t;
                for (int j = 0; j < d; j++) gw[r * d + j] += res * a[r] * s * (1 - t * t) * x[i, j];
            }
        }
        return (gw, ga);
    }

    private static double Dot(double[] w, int r, Matrix<double> x, int i)
    {
        double z = 0;
        for (int j = 0; j < x.Cols; j++) z += w[r * x.Cols + j] * x[i, j];
        return z;
    }

    private static double[] SignStep(double[] theta, double[] g, double eta) => theta.Select((v, k) => v - eta * Math.Sign(g[k])).ToArray();

    [Fact]
    public void SignDescentInTheLoop_FirstTwoUpdatesMatchTheFormula()
    {
        var x = NetworkTestKit.UnitRows(3, 2, 11);
        double[] y = [0.5, -1.0, 0.25];
        var net = NetworkTestKit.Network("fc", 1, 4, 2, "tanh", 3);
        double eta = 0.01, cSigma = new Tanh().CSigma;
        var w = (double[])net.Parameters[0].Value.Clone();
        var a = (double[])net.Parameters[1].Value.Clone();
        for (int step = 0; step < 2; step++)
        {
            var (gw, ga) = HandGradient(w, a, x, y, cSigma);
            w = SignStep(w, gw, eta);
            a = SignStep(a, ga, eta);
        }
        var result = TrainingLoop.Run<double>(net, x, y, new SignDescent(eta), new TrainingOptions(MaxSteps: 2));
        Assert.Equal(TrainingStatus.BudgetExhausted, result.Status);
        Assert.Equal(2, result.Steps);
        Assert.Equal(w, net.Parameters[0].Value);
        Assert.Equal(a, net.Parameters[1].Value);
    }

    [Fact]
    public void RegisteredOptimizer_RunsThroughTrain_FrozenLayerStays()
    {
        string dir = tmp.File("run");
        var r = CliHarness.Run("train", "--arch", "fc", "--depth", "1", "--width", "4", "--n", "3", "--d", "2", "--activation", "tanh",
            "--optimizer", "sign-descent", "--lr", "0.01", "--steps", "1", "--train", "W1", "--threads", "1", "--quiet", "--out", dir);
        Assert.True(r.ExitCode == 0, r.ToString());
        var data = SafeTensors.Read(Path.Combine(dir, "data.safetensors"));
        var init = SafeTensors.Read(Path.Combine(dir, "init.safetensors"));
        var final = SafeTensors.Read(Path.Combine(dir, "final.safetensors"));
        var x = data["X"].AsMatrix();
        var (gw, _) = HandGradient(init["W1"].AsDoubles(), init["a"].AsDoubles(), x, data["y"].AsDoubles(), new Tanh().CSigma);
        Assert.Equal(SignStep(init["W1"].AsDoubles(), gw, 0.01), final["W1"].AsDoubles());
        Assert.Equal(init["a"].AsDoubles(), final["a"].AsDoubles());
        Assert.Contains("\"optimizer\": \"sign-descent\"", File.ReadAllText(Path.Combine(dir, "config.json")));
    }

    [Fact]
    public void UnknownOptimizer_IsBadInput()
    {
        var r = CliHarness.Run("train", "--optimizer", "adamw", "--steps", "1", "--quiet", "--out", tmp.File("run"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--optimizer adamw: expected one of gd", r.Err);
        Assert.False(Directory.Exists(tmp.File("run")));
    }

    /// <summary>Averages the step's gradient with one more batch's, drawn through the oracle: θ ← θ − η (g_k + g_{k+1}) / 2.</summary>
    private sealed class TwoBatchAverage(double eta) : IOptimizer<double>
    {
        public string Name => "two-batch-average";
        public double LearningRate { get; set; } = eta;
        public readonly List<double> DrawnLosses = [];

        public void Step(in OptimizerStep<double> step)
        {
            var ps = step.Model.Parameters;
            var first = ps.Select(p => new double[p.Value.Length]).ToArray();
            var second = ps.Select(p => new double[p.Value.Length]).ToArray();
            step.Model.Gradients(first, step.Trained);               // the step's own batch, before the oracle overwrites the model
            DrawnLosses.Add(step.Oracle.NextGradient(second));
            for (int p = 0; p < ps.Count; p++)
                for (int k = 0; k < first[p].Length; k++) ps[p].Value[k] -= LearningRate * (first[p][k] + second[p][k]) / 2;
        }

        public IReadOnlyList<Tensor> SaveState() => [];
        public void RestoreState(IReadOnlyDictionary<string, Tensor> state) { }
    }

    [Fact]
    public void TheOracle_HandsOutTheNextBatches_AndTheNextStepStartsAfterThem()
    {
        var x = NetworkTestKit.UnitRows(8, 3, 4);
        double[] y = [0.5, -1, 0.3, 0.8, -0.2, 1.1, -0.7, 0.1];
        var net = NetworkTestKit.Network("fc", 2, 6, 3, "tanh", 2);
        var replay = NetworkTestKit.Network("fc", 2, 6, 3, "tanh", 2);
        var optimizer = new TwoBatchAverage(0.05);
        var steps = new List<(int Step, int Epoch, double Loss)>();
        var result = TrainingLoop.Run<double>(net, x, y, optimizer,
            new TrainingOptions(MaxSteps: 2, Batches: new BatchPlan(8, 2, shuffle: false)), new Recorder(steps));
        Assert.Equal(2, result.Steps);

        // Replay: step 0 takes batches 0 (rows 0–1) and 1 (rows 2–3), step 1 batches 2 and 3, step 2 (the last, no update) batch 4 = rows 0–1 again.
        (double Loss, double[][] Grad) At(int batch)
        {
            int start = batch % 4 * 2;
            var xb = new Matrix<double>(2, 3, x.Data[(start * 3)..((start + 2) * 3)]);
            var u = new double[2];
            replay.Forward(xb, u);
            var r = new[] { u[0] - y[start], u[1] - y[start + 1] };
            replay.BackPropagate();
            var g = replay.Parameters.Select(p => new double[p.Value.Length]).ToArray();
            replay.Gradients(r, g);
            return (0.5 * (r[0] * r[0] + r[1] * r[1]), g);
        }
        var expectedLosses = new List<double>();
        var drawn = new List<double>();
        for (int step = 0; step < 2; step++)
        {
            var (l0, g0) = At(2 * step);
            var (l1, g1) = At(2 * step + 1);
            expectedLosses.Add(l0);
            drawn.Add(l1);
            for (int p = 0; p < replay.Parameters.Count; p++)
                for (int k = 0; k < g0[p].Length; k++) replay.Parameters[p].Value[k] -= 0.05 * (g0[p][k] + g1[p][k]) / 2;
        }
        expectedLosses.Add(At(4).Loss);
        Assert.Equal(expectedLosses, steps.Select(s => s.Loss));
        Assert.Equal(drawn, optimizer.DrawnLosses);
        Assert.Equal([0, 0, 1], steps.Select(s => s.Epoch));                       // epochs count batches (4 per epoch): steps 0, 1, 2 start at batches 0, 2, 4
        for (int p = 0; p < net.Parameters.Count; p++) Assert.Equal(replay.Parameters[p].Value, net.Parameters[p].Value);
    }

    private sealed class Recorder(List<(int, int, double)> steps) : ITrainingObserver<double>
    {
        public void OnStep(in StepState<double> s) => steps.Add((s.Step, s.Epoch, s.Loss));
    }
}
