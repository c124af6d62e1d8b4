using System.Numerics;
using Overparam.Architectures;
using Overparam.Numerics;

namespace Overparam.Tests.Training;

/// <summary>
/// A model whose ∂L/∂θ is a script: the k-th call of <see cref="Gradients"/> writes script[k][p] into the buffer of each
/// trained parameter p, whatever θ is. It has no forward pass; it is for testing optimizers on hand-chosen gradients.
/// </summary>
public sealed class ScriptedModel<T>(IReadOnlyList<(string Name, double[] Value)> parameters, IReadOnlyList<double[][]> script) : IModel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private int calls;

    public IReadOnlyList<Parameter<T>> Parameters { get; } =
        parameters.Select(p => new Parameter<T>(p.Name, [p.Value.Length], p.Value.Select(T.CreateTruncating).ToArray())).ToArray();

    public int Outputs => 1;
    public int InputSize => 1;

    public void Forward(Matrix<T> x, Span<T> outputs) => throw new NotSupportedException();
    public void Backward(ReadOnlySpan<T> outputGradient) => throw new NotSupportedException();

    public void Gradients(IReadOnlyList<T[]> gradients, IReadOnlyList<bool>? trained = null)
    {
        var step = script[calls++];
        for (int p = 0; p < Parameters.Count; p++)
            if (trained is null || trained[p])
                for (int i = 0; i < step[p].Length; i++) gradients[p][i] = T.CreateTruncating(step[p][i]);
    }

    /// <summary>θ of parameter <paramref name="p"/> in float64.</summary>
    public double[] Value(int p) => Parameters[p].Value.Select(double.CreateTruncating).ToArray();
}
