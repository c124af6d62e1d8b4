using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using MathNet.Numerics;

namespace Overparam.Numerics;

/// <summary>
/// Bulk standard normals for noise that is added to every coordinate of a parameter at every step (Entropy-SGD's SGLD
/// noise): a 1024-layer ziggurat (Marsaglia and Tsang 2000, in the layout of NumPy's Generator.standard_normal with 10
/// bits for the layer instead of 8), 8 draws in one 512-bit vector. A block of draws is a pure function of a 64-bit key,
/// and draw j of a block of any length n &gt; j is draw j of the key's stream, so blocks can be drawn in any order and on
/// any thread (docs/mathematics.md §11.2):
/// <list type="number">
/// <item>8 xoshiro256** generators (Blackman and Vigna, 2018), generator ℓ seeded by SplitMix64 from
/// key ^ (0x9E3779B97F4A7C15·(ℓ + 1)), advanced together; draw j starts from output j div 8 of generator j mod 8.</item>
/// <item>Of an output r, bits 0–9 are the layer i, bit 10 the sign, bits 11–62 the integer a &lt; 2^52; x = a·w_i with
/// w_i = x_i/2^52 (w_0 = (v/f(R))/2^52). If a &lt; k_i (k_i = ⌊2^52·x_{i−1}/x_i⌋, k_1 = 0, k_0 = ⌊2^52·R f(R)/v⌋)
/// the draw is ±x (99.57 % of draws, in vectors).</item>
/// <item>Otherwise a scalar continuation finishes draw j with NumPy's algorithm, its further 64-bit outputs taken from
/// SplitMix64 with the state Mix(key ^ Mix(j)) (Mix: SplitMix64's increment and finalizer) and uniforms
/// U = (output &gt;&gt; 11)·2^−53: layer i ≥ 1, ±x if f_i + (f_{i−1} − f_i)·U &lt; exp(−x²/2) (f_0 = 1); layer 0, the tail
/// (Marsaglia 1964): ξ = −ln(1 − U)/R, η = −ln(1 − U′) until 2η &gt; ξ², then ±(R + ξ) with that output's sign;
/// a rejected draw starts over from the next output (its layer, sign and a as in 2).</item>
/// </list>
/// The layers: f(x) = exp(−x²/2), v(R) = R f(R) + √(π/2)·erfc(R/√2) the area of each layer (layer 0: the rectangle
/// [0, R]×[0, f(R)] and the tail), x_1023 = R, x_{i−1} = f⁻¹(f(x_i) + v/x_i) down to x_1, f_i = f(x_i). R = 4.038849846109504
/// is the root of the top layer's closing, x_1·(1 − f(x_1)) = v, found by bisection in double (the same bisection for
/// 256 layers gives NumPy's 3.6541528853610088); it closes to 2e-12 (a test checks). 1024 layers rather than NumPy's 256:
/// 0.43 % of draws go to the continuation instead of 1.49 %, 1.3 against 1.7 ns a draw. The vector part is exact integer
/// and IEEE arithmetic; exp and ln in the continuation are Math's, so the bits are the same for the same key on the same
/// machine and .NET (GaussianRng's polar method is the generator whose sequence is platform-independent).
/// </summary>
public static class GaussianNoise
{
    private const int Lanes = 8, LayerBits = 10, Layers = 1 << LayerBits, Chunk = 256;
    private const ulong Mantissa = (1UL << 52) - 1;

    /// <summary>The tail's start R and the layers' area v (see the type's summary).</summary>
    internal static readonly double R = 4.038849846109504, V = R * F(R) + Math.Sqrt(Math.PI / 2) * SpecialFunctions.Erfc(R / Math.Sqrt(2));

    // w_i, k_i, f_i of the summary.
    private static readonly double[] Widths = new double[Layers];
    private static readonly ulong[] Limits = new ulong[Layers];
    private static readonly double[] Heights = new double[Layers];

    /// <summary>The layers' right edges x_1 … x_1023 = R (x_0 unused).</summary>
    internal static readonly double[] Edges = new double[Layers];

    static GaussianNoise()
    {
        Edges[Layers - 1] = R;
        for (int i = Layers - 1; i >= 2; i--) Edges[i - 1] = Math.Sqrt(-2 * Math.Log(V / Edges[i] + F(Edges[i])));
        const double scale = 1UL << 52;
        Widths[0] = V / F(R) / scale;
        Limits[0] = (ulong)(scale * R * F(R) / V);
        Heights[0] = 1;
        for (int i = 1; i < Layers; i++)
        {
            Widths[i] = Edges[i] / scale;
            Limits[i] = i == 1 ? 0 : (ulong)(scale * Edges[i - 1] / Edges[i]);
            Heights[i] = F(Edges[i]);
        }
    }

    private static double F(double x) => Math.Exp(-0.5 * x * x);

    /// <summary>Fills <paramref name="target"/> with N(0, 1) draws, a function of <paramref name="key"/> and the length only.</summary>
    /// <remarks>
    /// By chunks of <see cref="Chunk"/> draws: the generators' outputs (<see cref="Outputs"/>), each draw's w and k by
    /// scalar loads (two 256-bit gathers per table and vector were slower on this AMD Zen 5), the draws in vectors
    /// (<see cref="Draws"/>), then the rejected ones by <see cref="Continue"/>. No call inside a vector loop, so that the
    /// generators' state stays in registers.
    /// </remarks>
    public static unsafe void Fill(ulong key, Span<double> target)
    {
        var state = Seed(key);
        ulong* outputs = stackalloc ulong[Chunk];
        double* widths = stackalloc double[Chunk];                        // w of each draw's layer
        ulong* limits = stackalloc ulong[Chunk];                          // k of each draw's layer
        ulong* rejections = stackalloc ulong[Chunk / 64];                 // bit i: draw i of the chunk was rejected
        double* partial = stackalloc double[Lanes];
        fixed (double* first = target)
        fixed (double* w = Widths)
        fixed (ulong* k = Limits)
            for (int chunk = 0; chunk < target.Length; chunk += Chunk)
            {
                int count = Math.Min(Chunk, target.Length - chunk), whole = count / Lanes * Lanes, rounded = (count + Lanes - 1) / Lanes * Lanes;
                Outputs(ref state, outputs, rounded);
                for (int j = 0; j < rounded; j++)
                {
                    nuint layer = (nuint)(outputs[j] & (Layers - 1));
                    widths[j] = w[layer];
                    limits[j] = k[layer];
                }
                new Span<ulong>(rejections, Chunk / 64).Clear();
                Draws(outputs, widths, limits, first + chunk, whole, 0, rejections);
                if (whole < count)
                {
                    Draws(outputs, widths, limits, partial - whole, Lanes, whole, rejections);   // draw whole + l into partial[l]
                    new Span<double>(partial, count - whole).CopyTo(target.Slice(chunk + whole, count - whole));
                }
                for (int word = 0; word < Chunk / 64; word++)
                    for (ulong bits = rejections[word]; bits != 0; bits &= bits - 1)
                    {
                        int i = 64 * word + BitOperations.TrailingZeroCount(bits);
                        if (i < count) first[chunk + i] = Continue(key, chunk + i, outputs[i]);
                    }
            }
    }

    /// <summary>The generators' next <paramref name="count"/> (a multiple of 8) outputs, output i from generator i mod 8.</summary>
    private static unsafe void Outputs(ref State state, ulong* target, int count)
    {
        var (s0, s1, s2, s3) = (state.S0, state.S1, state.S2, state.S3);
        for (int j = 0; j < count; j += Lanes)
        {
            var r = Rotate(s1 + (s1 << 2), 7);                            // xoshiro256**: rotl(s1·5, 7)·9
            r += r << 3;
            var t = s1 << 17;
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
            s2 ^= t;
            s3 = Rotate(s3, 45);
            r.Store(target + j);
        }
        (state.S0, state.S1, state.S2, state.S3) = (s0, s1, s2, s3);
    }

    /// <summary>
    /// Draws <paramref name="from"/> … <paramref name="from"/> + <paramref name="count"/> − 1 (count a multiple of 8) of
    /// a chunk as ±a·w into target[from …], from their outputs and their layers' w and k; the bits of those not accepted
    /// (a ≥ k) are set in <paramref name="rejections"/>.
    /// </summary>
    private static unsafe void Draws(ulong* outputs, double* widths, ulong* limits, double* target, int count, int from, ulong* rejections)
    {
        var mantissa = Vector512.Create(Mantissa);
        var signBit = Vector512.Create(1UL << 63);
        for (int j = from; j < from + count; j += Lanes)
        {
            var r = Vector512.Load(outputs + j);
            var a = (r >> (LayerBits + 1)) & mantissa;
            var x = Vector512.ConvertToDouble(a) * Vector512.Load(widths + j);
            (x.AsUInt64() ^ ((r << (63 - LayerBits)) & signBit)).AsDouble().Store(target + j);
            uint rejected = (uint)Vector512.GreaterThanOrEqual(a, Vector512.Load(limits + j)).ExtractMostSignificantBits();
            rejections[j >> 6] |= (ulong)rejected << (j & 63);
        }
    }

    /// <summary>Draw <paramref name="position"/> of the key's stream, whose first output <paramref name="output"/> was not accepted in the vector part.</summary>
    private static double Continue(ulong key, int position, ulong output)
    {
        ulong state = Mix(key ^ Mix((ulong)position));
        double Uniform() => (SplitMix64(ref state) >> 11) * (1.0 / (1UL << 53));
        for (ulong r = output; ; r = SplitMix64(ref state))
        {
            int layer = (int)(r & (Layers - 1));
            bool negative = (r & Layers) != 0;
            ulong a = (r >> (LayerBits + 1)) & Mantissa;
            double x = a * Widths[layer];
            if (a < Limits[layer]) return negative ? -x : x;
            if (layer == 0)
                while (true)
                {
                    double xi = -Math.Log(1 - Uniform()) / R, eta = -Math.Log(1 - Uniform());
                    if (eta + eta > xi * xi) return negative ? -(R + xi) : R + xi;
                }
            if (Heights[layer] + (Heights[layer - 1] - Heights[layer]) * Uniform() < F(x)) return negative ? -x : x;
        }
    }

    private struct State { public Vector512<ulong> S0, S1, S2, S3; }

    private static State Seed(ulong key)
    {
        Span<ulong> w = stackalloc ulong[4 * Lanes];
        for (int l = 0; l < Lanes; l++)
        {
            ulong x = key ^ (0x9E3779B97F4A7C15UL * (ulong)(l + 1));
            for (int k = 0; k < 4; k++) w[k * Lanes + l] = SplitMix64(ref x);
        }
        return new State
        {
            S0 = Vector512.Create<ulong>(w[..Lanes]), S1 = Vector512.Create<ulong>(w.Slice(Lanes, Lanes)),
            S2 = Vector512.Create<ulong>(w.Slice(2 * Lanes, Lanes)), S3 = Vector512.Create<ulong>(w.Slice(3 * Lanes, Lanes)),
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Rotate(Vector512<ulong> x, [ConstantExpected] byte k) =>
        Avx512F.IsSupported ? Avx512F.RotateLeft(x, k) : (x << k) | (x >> (64 - k));

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        return Finalize(z);
    }

    /// <summary>SplitMix64's increment and finalizer.</summary>
    private static ulong Mix(ulong z) => Finalize(z + 0x9E3779B97F4A7C15UL);

    private static ulong Finalize(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
