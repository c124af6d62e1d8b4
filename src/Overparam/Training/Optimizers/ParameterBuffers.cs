using System.Numerics;
using Overparam.Architectures;
using Overparam.IO;

namespace Overparam.Training.Optimizers;

/// <summary>
/// What a stateful optimizer keeps between steps: the number t of updates taken (PyTorch's <c>state["step"]</c>), one
/// ∂L/∂θ buffer per parameter, and for each trained parameter one buffer per state kind (e.g. "exp_avg"), zero before the
/// first update. Its checkpoint form, once t &gt; 0, is the scalar "step" and one tensor "KIND.PARAMETER" (e.g.
/// "exp_avg.W1") per buffer, shaped like the parameter.
/// <para>
/// An optimizer sees the model only at its first step, so the buffers are allocated there, for the parameters trained at
/// that step, and a restored state is matched to those parameters there too: an <see cref="ArgumentException"/> names a
/// missing, misshapen or unexpected tensor.
/// </para>
/// </summary>
internal sealed class ParameterBuffers<T>(string optimizer, params string[] kinds) where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Element-wise passes run this many elements at a time, so that a block of every array stays in cache from one
    /// pass to the next (on 2M parameters, Adam's dozen passes take about half the time of whole-array passes).
    /// </summary>
    public const int BlockLength = 4096;

    public const string StepName = "step";

    private IReadOnlyList<Parameter<T>>? parameters;
    private T[][] gradients = [];
    private T[]?[][] buffers = [];
    private Dictionary<string, Tensor>? restored;

    /// <summary>t, the updates taken so far (counting the current one once <see cref="Begin"/> returned).</summary>
    public long Steps { get; private set; }

    /// <summary>Starts an update: t ← t + 1, and ∂L/∂θ of the step's evaluation into <see cref="Gradient"/> of each trained parameter.</summary>
    public void Begin(in OptimizerStep<T> step)
    {
        if (parameters is null) Allocate(step);
        if (gradients.Length == 0) gradients = step.Model.Parameters.Select(p => new T[p.Value.Length]).ToArray();
        step.Model.Gradients(gradients, step.Trained);
        Steps++;
    }

    /// <summary>Every parameter's gradient buffer (those of frozen parameters unused), e.g. for <see cref="IGradientOracle{T}.NextGradient"/>.</summary>
    public IReadOnlyList<T[]> Gradients => gradients;

    /// <summary>The gradient buffer of parameter <paramref name="p"/>, which an update may overwrite.</summary>
    public T[] Gradient(int p) => gradients[p];

    /// <summary>The buffer of kind <paramref name="kind"/> (an index into the constructor's kinds) of trained parameter <paramref name="p"/>.</summary>
    public T[] Buffer(int kind, int p) =>
        buffers[kind][p] ?? throw new InvalidOperationException($"{optimizer}: parameter {parameters![p].Name} was frozen at the first step, it has no {kinds[kind]}");

    public IReadOnlyList<Tensor> Save()
    {
        if (Steps == 0) return [];
        var tensors = new List<Tensor> { Tensor.F64(StepName, [], [Steps]) };
        if (parameters is null) tensors.AddRange(restored!.Values);
        else
            for (int p = 0; p < parameters.Count; p++)
                for (int k = 0; k < kinds.Length; k++)
                    if (buffers[k][p] is { } b) tensors.Add(ToTensor(Key(k, parameters[p].Name), parameters[p].Shape, b));
        return tensors;
    }

    /// <summary>Replaces the state by <paramref name="state"/> (empty: a fresh optimizer); the buffers are checked at the next step.</summary>
    public void Restore(IReadOnlyDictionary<string, Tensor> state)
    {
        parameters = null;
        restored = null;
        Steps = 0;
        if (state.Count == 0) return;
        if (!state.TryGetValue(StepName, out var step) || step.ElementCount != 1)
            throw new ArgumentException($"{optimizer} state: the scalar \"{StepName}\" is missing");
        double t = step.AsDoubles()[0];
        if (!(t >= 1 && t == Math.Floor(t))) throw new ArgumentException($"{optimizer} state: \"{StepName}\" is {t}, expected a positive integer");
        restored = state.Where(kv => kv.Key != StepName).ToDictionary();
        foreach (var name in restored.Keys)
            if (!kinds.Any(k => name.StartsWith(k + ".", StringComparison.Ordinal)))
                throw new ArgumentException($"{optimizer} state: unexpected tensor \"{name}\" (expected \"{StepName}\" and {string.Join(", ", kinds.Select(k => $"\"{k}.NAME\""))})");
        Steps = (long)t;
    }

    private void Allocate(in OptimizerStep<T> step)
    {
        var ps = step.Model.Parameters;
        buffers = new T[]?[kinds.Length][];
        for (int k = 0; k < kinds.Length; k++)
        {
            buffers[k] = new T[]?[ps.Count];
            for (int p = 0; p < ps.Count; p++)
                if (step.Trains(p)) buffers[k][p] = restored is null ? new T[ps[p].Value.Length] : TakeRestored(Key(k, ps[p].Name), ps[p]);
        }
        if (restored is { Count: > 0 })
            throw new ArgumentException($"{optimizer} state: unexpected tensor(s) {string.Join(", ", restored.Keys.Select(n => $"\"{n}\""))}, not of a trained parameter");
        restored = null;
        parameters = ps;
    }

    private T[] TakeRestored(string name, Parameter<T> p)
    {
        if (!restored!.Remove(name, out var t)) throw new ArgumentException($"{optimizer} state: tensor \"{name}\" is missing");
        if (!t.Shape.SequenceEqual(p.Shape))
            throw new ArgumentException($"{optimizer} state: tensor \"{name}\" has shape [{string.Join(", ", t.Shape)}], parameter {p.Name} has [{string.Join(", ", p.Shape)}]");
        return t.AsDoubles().Select(T.CreateTruncating).ToArray();
    }

    private string Key(int kind, string parameter) => $"{kinds[kind]}.{parameter}";

    private static Tensor ToTensor(string name, int[] shape, T[] data) => typeof(T) == typeof(float)
        ? Tensor.F32(name, shape, (float[])(object)data.Clone())
        : Tensor.F64(name, shape, data.Select(double.CreateTruncating).ToArray());
}
