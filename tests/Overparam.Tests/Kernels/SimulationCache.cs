using Overparam.Activations;
using Overparam.Numerics;

namespace Overparam.Tests.Kernels;

/// <summary>
/// The docs/mathematics.md §9.1/§9.2 setting, simulated once and shared by the fully connected and ResNet tests: n = 6 random unit
/// inputs in R^5 (fixed seed), softplus, m = 3000, 4 seeds. One weight draw per seed serves the fully connected nets
/// of depth 1, 2, 3 (with independent output vectors) and the H = 3 ResNet with c_res = 0.5.
/// </summary>
internal static class SimulationCache
{
    public const int Width = 3000, Seeds = 4, MaxDepth = 3;
    public const double CRes = 0.5;
    public static readonly Matrix<double> X = KernelTestSupport.UnitInputs(6, 5, 2019);

    /// <summary>FullyConnected[s][H] and ResNet[s] are the per-layer Grams G^(1..H+1) of seed s.</summary>
    public sealed record Draws(Matrix<double>[][][] FullyConnected, Matrix<double>[][] ResNet);

    private static readonly Lazy<Draws> Lazy = new(() =>
    {
        var sigma = new Softplus();
        var fc = new Matrix<double>[Seeds][][];
        var res = new Matrix<double>[Seeds][];
        Parallel.For(0, Seeds, new ParallelOptions { MaxDegreeOfParallelism = 2 }, s =>
        {
            var w = new FiniteWidthGrams.Weights(Width, X.Cols, MaxDepth, (ulong)(100 + s));
            fc[s] = FiniteWidthGrams.FullyConnectedAllDepths(X, sigma, w, MaxDepth);
            res[s] = FiniteWidthGrams.ResNet(X, MaxDepth, sigma, CRes, w);
        });
        return new Draws(fc, res);
    });

    public static Draws Get() => Lazy.Value;
}
