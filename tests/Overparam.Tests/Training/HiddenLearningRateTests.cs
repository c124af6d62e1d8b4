using Overparam.Architectures;
using Overparam.Experiments;
using Overparam.IO;
using Overparam.Numerics;
using Overparam.Tests.Architectures;
using Overparam.Tests.Measures;
using Overparam.Training;
using Overparam.Training.Optimizers;

namespace Overparam.Tests.Training;

/// <summary>"Hidden layers frozen, output trained" (--train output) and "all layers, a separate hidden rate" (--lr-hidden) for every optimizer.</summary>
public sealed class HiddenLearningRateTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    public static readonly TheoryData<string> Optimizers = new(OptimizerKind.Names.Take(6));

    private static RunSpec Spec(string optimizer) => new()
    {
        Architecture = "fc", Depth = 2, Width = 12, N = 24, D = 5, Activation = "softplus", Parameterization = "standard", Bias = true,
        Loss = "mse", Optimizer = optimizer, Lr = 0.05, BatchSize = 8, Epochs = 2, Seed = 5, TargetLoss = 0,
        Gamma0 = optimizer is "entropy-sgd" or "replicated-sgd" ? 0.5 : null, SgldNoise = optimizer == "entropy-sgd" ? 0 : null,
        Momentum = optimizer is "sgd" or "rmsprop" or "replicated-sgd" ? 0.9 : null,
        Gscale = optimizer == "entropy-sgd" ? false : null, GammaMax = optimizer is "entropy-sgd" or "replicated-sgd" ? 10 : null,
    };

    private (Dictionary<string, Tensor> Init, Dictionary<string, Tensor> Final) Run(RunSpec spec, string name)
    {
        string dir = tmp.File(name);
        var outcome = RunExecutor.Execute(spec, dir);
        Assert.True(outcome.Status is TrainingStatus.BudgetExhausted or TrainingStatus.Converged, $"{name}: {outcome.Status} {outcome.Message}");
        return (SafeTensors.Read(Path.Combine(dir, "init.safetensors")), SafeTensors.Read(Path.Combine(dir, "final.safetensors")));
    }

    private static void AssertHiddenFixedOutputMoved((Dictionary<string, Tensor> Init, Dictionary<string, Tensor> Final) run, string what)
    {
        foreach (var (name, t) in run.Init)
            if (HiddenLearningRate<double>.IsOutput(name)) Assert.NotEqual(t.AsDoubles(), run.Final[name].AsDoubles());
            else Assert.True(t.AsDoubles().SequenceEqual(run.Final[name].AsDoubles()), $"{what}: {name} moved");
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void TrainOutputKeepsTheHiddenLayersBitForBit(string optimizer) =>
        AssertHiddenFixedOutputMoved(Run(Spec(optimizer) with { Train = "output" }, optimizer), $"{optimizer} --train output");

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void LrHiddenZeroKeepsTheHiddenLayersBitForBit(string optimizer) =>
        AssertHiddenFixedOutputMoved(Run(Spec(optimizer) with { LrHidden = 0 }, optimizer), $"{optimizer} --lr-hidden 0");

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void LrHiddenScalesTheFirstHiddenStepAndLeavesTheOutputStep(string optimizer)
    {
        // One update from the same θ(0) and state: the output layer's displacement is the base's bit for bit, each hidden
        // parameter's is (η_h/η) times the base's (also for replicated-sgd's centre, the mean of the replicas' steps).
        var spec = Spec(optimizer) with { Epochs = null, Steps = 1 };
        var base_ = Run(spec, optimizer + "-base");
        var scaled = Run(spec with { LrHidden = 0.3 * spec.Lr }, optimizer + "-scaled");
        foreach (var (name, t) in base_.Init)
        {
            double[] init = t.AsDoubles(), b = base_.Final[name].AsDoubles(), s = scaled.Final[name].AsDoubles();
            Assert.Equal(init, scaled.Init[name].AsDoubles());
            if (HiddenLearningRate<double>.IsOutput(name)) { Assert.Equal(b, s); continue; }
            double moved = 0;
            for (int i = 0; i < init.Length; i++)
            {
                Assert.Equal(0.3 * (b[i] - init[i]), s[i] - init[i], 1e-12 * (1 + Math.Abs(init[i])));
                moved += Math.Abs(b[i] - init[i]);
            }
            Assert.True(moved > 0, $"{optimizer}: {name} did not move in the base run");
        }
    }

    /// <summary>Two optimizers as PyTorch's two parameter groups: one on the hidden parameters at η_h, one on the output layer at η.</summary>
    private sealed class ParameterGroups(IOptimizer<double> hidden, IOptimizer<double> output, bool[] hiddenMask) : IOptimizer<double>
    {
        public string Name => "groups";
        public double LearningRate { get; set; }
        public void Step(in OptimizerStep<double> step)
        {
            var outputMask = hiddenMask.Select(h => !h).ToArray();
            hidden.Step(new OptimizerStep<double> { Step = step.Step, Epoch = step.Epoch, Model = step.Model, Loss = step.Loss, OutputGradient = step.OutputGradient, Trained = hiddenMask, Oracle = step.Oracle });
            output.Step(new OptimizerStep<double> { Step = step.Step, Epoch = step.Epoch, Model = step.Model, Loss = step.Loss, OutputGradient = step.OutputGradient, Trained = outputMask, Oracle = step.Oracle });
        }
        public IReadOnlyList<Tensor> SaveState() => [];
        public void RestoreState(IReadOnlyDictionary<string, Tensor> state) { }
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    [InlineData("rmsprop")]
    public void LrHiddenEqualsTwoParameterGroupsForTheElementwiseOptimizers(string name)
    {
        const double lr = 0.02, lrHidden = 0.005;
        var x = NetworkTestKit.UnitRows(16, 5, 21);
        var y = new double[16];
        new GaussianRng(22).FillGaussian(y);
        var settings = new OptimizerSettings(lr) { Momentum = name == "adam" ? 0 : 0.9, WeightDecay = 1e-3, Centered = name == "rmsprop" };
        var kind = OptimizerKind.TryParse(name)!;
        var a = ExpressivityTests.SoftplusNet(2, 10, 5, 1, 23);
        var b = ExpressivityTests.SoftplusNet(2, 10, 5, 1, 23);
        var mask = HiddenLearningRate<double>.Hidden(a);
        var options = new TrainingOptions(25);
        TrainingLoop.Run(a, x, y, new HiddenLearningRate<double>(kind.Create<double>(settings), lrHidden / lr), options);
        TrainingLoop.Run(b, x, y, new ParameterGroups(kind.Create<double>(settings with { LearningRate = lrHidden }), kind.Create<double>(settings), mask), options);
        for (int p = 0; p < a.Parameters.Count; p++)
            for (int i = 0; i < a.Parameters[p].Value.Length; i++)
                Assert.Equal(b.Parameters[p].Value[i], a.Parameters[p].Value[i], 1e-12 * (1 + Math.Abs(b.Parameters[p].Value[i])));
        Assert.NotEqual(ExpressivityTests.SoftplusNet(2, 10, 5, 1, 23).Parameters[0].Value, a.Parameters[0].Value);
    }
}
