using Overparam.Architectures;
using Overparam.Numerics;

namespace Overparam.Tests.Training;

/// <summary>
/// u_i = w·x_i, one output, so that with the half-sum-squares loss ∇_w L = Σ_i (u_i − y_i) x_i can be written by hand
/// in a test. For optimizer tests that need a gradient that depends on w (the oracle's draws).
/// </summary>
public sealed class LinearModel(double[] w) : IModel<double>
{
    private Matrix<double> x = new(0, 0);
    private double[] residual = [];

    public IReadOnlyList<Parameter<double>> Parameters { get; } = [new("w", [w.Length], w)];
    public int Outputs => 1;
    public int InputSize => w.Length;

    public void Forward(Matrix<double> x, Span<double> outputs)
    {
        this.x = x.Clone();
        for (int i = 0; i < x.Rows; i++) outputs[i] = Dot(Parameters[0].Value, x.Row(i));
    }

    public void Backward(ReadOnlySpan<double> outputGradient) => residual = outputGradient.ToArray();

    public void Gradients(IReadOnlyList<double[]> gradients, IReadOnlyList<bool>? trained = null)
    {
        var g = gradients[0];
        Array.Clear(g);
        for (int i = 0; i < x.Rows; i++)
            for (int j = 0; j < g.Length; j++) g[j] += residual[i] * x[i, j];
    }

    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int j = 0; j < a.Length; j++) s += a[j] * b[j];
        return s;
    }
}
