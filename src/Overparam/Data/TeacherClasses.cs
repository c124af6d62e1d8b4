using Overparam.Numerics;

namespace Overparam.Data;

/// <summary>
/// Classification data labelled by a fixed random teacher network (<c>--data teacher-classes</c>): inputs uniform on the
/// unit sphere (those of <see cref="SyntheticData"/> with the same seed), label = argmax_c (V·tanh(W·x))_c, ties to the
/// smallest c, for a fully-connected teacher d → <see cref="Width"/> → C without biases. W [32, d] and V [C, 32] have
/// N(0, 1) entries (so wᵀx ~ N(0, 1) on the unit sphere), drawn from GaussianRng(seed ^ 0x7EAC4E5): W row by row, then V.
/// The label is a function of the input, so the Bayes error is 0.
/// </summary>
public sealed class TeacherClasses
{
    /// <summary>The teacher's hidden width.</summary>
    public const int Width = 32;

    /// <summary>First layer [32, features].</summary>
    public Matrix<double> W { get; }

    /// <summary>Output layer [C, 32].</summary>
    public Matrix<double> V { get; }

    public int Classes => V.Rows;

    /// <summary>The teacher for <paramref name="features"/> inputs and <paramref name="classes"/> ≥ 2 classes, from <paramref name="seed"/>.</summary>
    public TeacherClasses(int features, int classes, ulong seed)
    {
        if (features < 1) throw new ArgumentOutOfRangeException(nameof(features), $"{features} features: need at least one");
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), $"{classes} classes: need at least 2");
        var rng = new GaussianRng(seed ^ 0x7EAC4E5UL);
        W = new Matrix<double>(Width, features);
        V = new Matrix<double>(classes, Width);
        rng.FillGaussian(W.Data);
        rng.FillGaussian(V.Data);
    }

    /// <summary>The teacher's class for one input.</summary>
    public int Label(ReadOnlySpan<double> x)
    {
        Span<double> hidden = stackalloc double[Width];
        for (int k = 0; k < Width; k++) hidden[k] = Math.Tanh(System.Numerics.Tensors.TensorPrimitives.Dot(W.Row(k), x));
        int best = 0;
        double bestScore = double.NegativeInfinity;
        for (int c = 0; c < Classes; c++)
        {
            double score = System.Numerics.Tensors.TensorPrimitives.Dot(V.Row(c), hidden);
            if (score > bestScore) { best = c; bestScore = score; }
        }
        return best;
    }

    /// <summary>
    /// n unit-sphere inputs of <paramref name="inputShape"/> ([d], or [d0, p] on the unit Frobenius sphere) from
    /// <paramref name="seed"/>, as <see cref="SyntheticData"/> draws them, labelled with their class ids.
    /// </summary>
    public Dataset Sample(int n, int[] inputShape, ulong seed)
    {
        var inputs = inputShape.Length == 1
            ? SyntheticData.UnitSphere(n, inputShape[0], seed)
            : SyntheticData.ConvUnitSphere(n, inputShape[0], inputShape[1], seed);
        if (inputs.Features != W.Cols)
            throw new ArgumentException($"input shape [{string.Join(", ", inputShape)}] has {inputs.Features} features, the teacher takes {W.Cols}", nameof(inputShape));
        var y = new double[n];
        for (int i = 0; i < n; i++) y[i] = Label(inputs.X.Row(i));
        return new Dataset(inputs.X, y, inputShape, $"teacher classes: n={n}, C={Classes}, unit-sphere inputs seed={seed}");
    }
}
