using System.Numerics;
using Overparam.Architectures;
using Overparam.IO;

namespace Overparam.Training.Optimizers;

/// <summary>
/// A separate learning rate for the hidden layers (--lr-hidden), for any base optimizer: the output layer (a, b_out) steps
/// at the base rate η and every other trained parameter at <see cref="Factor"/>·η. Every registered optimizer's update of a
/// parameter is linear in η at a given state (SGD, Adam, RMSprop: θ ← θ − η·u with u independent of η; Entropy-SGD's outer
/// step −ηγg after the inner loop has restored w; Replicated-SGD's step of each replica), so the step is the base step with
/// each hidden parameter's displacement scaled: θ ← θ_old + Factor·(θ_base − θ_old) — PyTorch's parameter groups with
/// lr = Factor·η for the hidden group, up to the rounding of θ_base (at most ε|θ| per step). The base optimizer's state
/// (momenta, second moments) is the same as in a run with one rate. With Factor = 1 the step is the base step itself, bit
/// for bit; with Factor = 0 the hidden layers do not move. A schedule scales both rates alike.
/// </summary>
public sealed class HiddenLearningRate<T> : IOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IOptimizer<T> inner;
    private T[][] before = [];

    /// <param name="factor">η_hidden/η.</param>
    public HiddenLearningRate(IOptimizer<T> inner, double factor)
    {
        if (!(factor >= 0 && double.IsFinite(factor))) throw new ArgumentException($"--lr-hidden: the ratio to --lr is {factor}, it must be a finite number ≥ 0");
        this.inner = inner;
        Factor = factor;
    }

    /// <summary>η_hidden/η (the two-phase rule halves it when it rejects a hidden update).</summary>
    public double Factor { get; set; }

    /// <summary>The base optimizer.</summary>
    public IOptimizer<T> Inner => inner;

    public string Name => inner.Name;

    public double LearningRate { get => inner.LearningRate; set => inner.LearningRate = value; }

    /// <summary>True for the output layer's parameters (a, b_out; "replica-K/a" of replicated-sgd): those not scaled.</summary>
    public static bool IsOutput(string name)
    {
        int slash = name.LastIndexOf('/');
        return name[(slash + 1)..] is "a" or "b_out";
    }

    /// <summary>Which of the model's parameters are hidden (not the output layer).</summary>
    public static bool[] Hidden(IModel<T> model) => model.Parameters.Select(p => !IsOutput(p.Name)).ToArray();

    public void Step(in OptimizerStep<T> step)
    {
        if (Factor == 1) { inner.Step(step); return; }
        var ps = step.Model.Parameters;
        if (before.Length != ps.Count) before = ps.Select(p => IsOutput(p.Name) ? [] : new T[p.Value.Length]).ToArray();
        for (int p = 0; p < ps.Count; p++) if (before[p].Length > 0 && step.Trains(p)) ps[p].Value.CopyTo(before[p], 0);
        inner.Step(step);
        T f = T.CreateTruncating(Factor);
        for (int p = 0; p < ps.Count; p++)
        {
            if (before[p].Length == 0 || !step.Trains(p)) continue;
            T[] theta = ps[p].Value, old = before[p];
            System.Numerics.Tensors.TensorPrimitives.Subtract(theta, old, theta);          // θ_base − θ_old
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(theta, f, old, theta);    // θ_old + Factor·(θ_base − θ_old)
        }
    }

    public IReadOnlyList<Tensor> SaveState() => inner.SaveState();

    public void RestoreState(IReadOnlyDictionary<string, Tensor> state) => inner.RestoreState(state);
}
