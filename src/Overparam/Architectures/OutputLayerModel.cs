using Overparam.Numerics;

namespace Overparam.Architectures;

/// <summary>
/// A network's output layer alone, on frozen features: the inputs are the rows of Φ (n × m, the last hidden layer's
/// output) and U = ΦA with A [m, C] named "a" as in the fc network, so that training this model with the training
/// loop is exactly training that network with its hidden layers frozen (`--train output`), without recomputing the
/// frozen layers at every step: the convex problem of docs/mathematics.md §13. ∂L/∂A = Φᵀ G for G = ∂L/∂U.
/// </summary>
public sealed class OutputLayerModel : IModel<double>
{
    private readonly Matrix<double> a;
    private Matrix<double> phi = new(0, 0);
    private Matrix<double> u = new(0, 0), g = new(0, 0);

    /// <param name="a">A [m, C] row-major, e.g. the network's initial output weights; the model trains this array.</param>
    public OutputLayerModel(double[] a, int features, int outputs)
    {
        if (a.Length != features * outputs) throw new ArgumentException($"A has {a.Length} entries, expected {features} × {outputs}");
        this.a = new Matrix<double>(features, outputs, a);
        Parameters = [new Parameter<double>("a", outputs == 1 ? [features] : [features, outputs], a)];
    }

    public IReadOnlyList<Parameter<double>> Parameters { get; }
    public int Outputs => a.Cols;
    public int InputSize => a.Rows;

    public void Forward(Matrix<double> x, Span<double> outputs)
    {
        if (x.Cols != a.Rows) throw new ArgumentException($"{x.Cols} features, the output layer takes {a.Rows}");
        phi = x;
        if (u.Rows != x.Rows) (u, g) = (new Matrix<double>(x.Rows, a.Cols), new Matrix<double>(x.Rows, a.Cols));
        LinearAlgebra.Gemm(x, false, a, false, u, 1.0, 0.0);
        u.Span.CopyTo(outputs);
    }

    public void Backward(ReadOnlySpan<double> outputGradient) => outputGradient.CopyTo(g.Span);

    public void Gradients(IReadOnlyList<double[]> gradients, IReadOnlyList<bool>? trained = null)
    {
        if (trained is not null && !trained[0]) return;
        LinearAlgebra.Gemm(phi, true, g, false, new Matrix<double>(a.Rows, a.Cols, gradients[0]), 1.0, 0.0);
    }
}
