using Overparam.IO;
using Overparam.Numerics;

namespace Overparam.Online;

/// <summary>
/// The weights of the online network (docs/mathematics.md, "Crossprop"): M = inputs + 1 entries per input (the last is
/// the bias entry 1), n hidden units plus the bias unit φ_n = 1, K outputs (K = 1: a linear output for regression; K ≥ 2:
/// softmax logits). In memory U is input-major, U[i·n + j] = u_ij (so that a row of U is one input's weights to all
/// hidden units), and W is output-major, W[k·(n+1) + j] = w_jk. Files hold U as [hidden, inputs+1] and W as [hidden+1]
/// (K = 1) or [outputs, hidden+1].
/// </summary>
public sealed record OnlineWeights(int Inputs, int Hidden, int Outputs, double[] U, double[] W)
{
    /// <summary>M, entries per input with the bias entry.</summary>
    public int InputsWithBias => Inputs + 1;

    /// <summary>Every u_ij and w_jk from N(0, 1), as the authors' 'normal' initialization: U row by row, then W (xoshiro256**, polar method).</summary>
    public static OnlineWeights Normal(int inputs, int hidden, int outputs, ulong seed)
    {
        var rng = new GaussianRng(seed);
        var u = new double[(inputs + 1) * hidden];
        var w = new double[outputs * (hidden + 1)];
        rng.FillGaussian(u);
        rng.FillGaussian(w);
        return new OnlineWeights(inputs, hidden, outputs, u, w);
    }

    public OnlineWeights Copy() => this with { U = (double[])U.Clone(), W = (double[])W.Clone() };

    /// <summary>U as [hidden, inputs+1] and W as [hidden+1] or [outputs, hidden+1].</summary>
    public IReadOnlyList<Tensor> ToTensors() =>
    [
        Tensor.F64("U", [Hidden, InputsWithBias], Transpose(U, InputsWithBias, Hidden)),
        Outputs == 1 ? Tensor.F64("W", [Hidden + 1], (double[])W.Clone()) : Tensor.F64("W", [Outputs, Hidden + 1], (double[])W.Clone()),
    ];

    /// <summary>The [rows, cols] row-major matrix a as [cols, rows].</summary>
    public static double[] Transpose(ReadOnlySpan<double> a, int rows, int cols)
    {
        var t = new double[a.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        return t;
    }
}
