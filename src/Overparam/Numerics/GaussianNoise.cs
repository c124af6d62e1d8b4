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
/// noise): a 256-layer ziggurat (Marsaglia and Tsang 2000, in the layout of NumPy's Generator.standard_normal), 8 draws
/// in one 512-bit vector. A block of draws is a pure function of a 64-bit key, and draw j of a block of any length n > j
/// is draw j of the key's stream, so blocks can be drawn in any order and on any thread (docs/mathematics.md §11.2):
/// <list type="number">
/// <item>8 xoshiro256** generators (Blackman and Vigna, 2018), generator ℓ seeded by SplitMix64 from
/// key ^ (0x9E3779B97F4A7C15·(ℓ + 1)), advanced together; draw j starts from output j div 8 of generator j mod 8.</item>
/// <item>Of an output r, bits 0–7 are the layer i, bit 8 the sign, bits 9–60 the integer a &lt; 2^52; x = a·w_i with
/// w_i = x_i/2^52 (w_0 = (v/f(R))/2^52). If a &lt; k_i (k_i = ⌊2^52·x_{i−1}/x_i⌋, k_1 = 0, k_0 = ⌊2^52·R f(R)/v⌋)
/// the draw is ±x (98.5 % of draws, all in vectors).</item>
/// <item>Otherwise a scalar continuation finishes draw j with NumPy's algorithm, its further 64-bit outputs taken from
/// SplitMix64 with the state Mix(key ^ Mix(j)) (Mix: SplitMix64's increment and finalizer) and uniforms
/// U = (output &gt;&gt; 11)·2^−53: layer i ≥ 1, ±x if f_i + (f_{i−1} − f_i)·U &lt; exp(−x²/2) (f_0 = 1); layer 0, the tail
/// (Marsaglia 1964): ξ = −ln(1 − U)/R, η = −ln(1 − U′) until 2η &gt; ξ², then ±(R + ξ) with the first output's sign;
/// a rejected draw starts over from the next output.</item>
/// </list>
/// The layers: f(x) = exp(−x²/2), R = 3.6541528853610088 (NumPy's), v = R f(R) + √(π/2)·erfc(R/√2) the area of each
/// layer (layer 0: the rectangle [0, R]×[0, f(R)] and the tail), x_255 = R, x_{i−1} = f⁻¹(f(x_i) + v/x_i) down to x_1,
/// f_i = f(x_i); the top layer x_1·(1 − f(x_1)) is v to 1.4e-13 (a test checks). The vector part is exact integer and
/// IEEE arithmetic; exp and ln in the continuation are Math's, so the bits are the same for the same key on the same
/// machine and .NET (GaussianRng's polar method is the generator whose sequence is platform-independent).
/// </summary>
public static class GaussianNoise
{
    private const int Lanes = 8, Layers = 256, Chunk = 512;
    private const ulong Mantissa = (1UL << 52) - 1;

    /// <summary>The tail's start R and the layers' area v (see the type's summary).</summary>
    internal static readonly double R = 3.6541528853610088, V = R * F(R) + Math.Sqrt(Math.PI / 2) * SpecialFunctions.Erfc(R / Math.Sqrt(2));

    // w_i, k_i, f_i of the summary; pinned so that the gathers can read them through pointers.
    private static readonly double[] Widths = GC.AllocateArray<double>(Layers, pinned: true);
    private static readonly ulong[] Limits = GC.AllocateArray<ulong>(Layers, pinned: true);
    private static readonly double[] Heights = new double[Layers];

    /// <summary>The layers' right edges x_1 … x_255 = R (x_0 unused).</summary>
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
    /// A chunk of <see cref="Chunk"/> draws is first drawn by <see cref="Vectors"/> (the outputs of vectors with a
    /// rejected lane kept aside), then its rejected draws are finished by <see cref="Continue"/>: with no call inside the
    /// vector loop the generators' state stays in registers.
    /// </remarks>
    public static unsafe void Fill(ulong key, Span<double> target)
    {
        var state = Seed(key);
        ulong* outputs = stackalloc ulong[Chunk];                         // the outputs of vectors with a rejected lane
        ulong* rejections = stackalloc ulong[Chunk / 64];                 // bit i: draw i of the chunk was rejected
        double* partial = stackalloc double[Lanes];
        fixed (double* first = target)
            for (int chunk = 0; chunk < target.Length; chunk += Chunk)
            {
                int count = Math.Min(Chunk, target.Length - chunk), whole = count / Lanes * Lanes;
                new Span<ulong>(rejections, Chunk / 64).Clear();
                Vectors(ref state, first + chunk, whole, 0, outputs, rejections);
                if (whole < count)
                {
                    Vectors(ref state, partial, Lanes, whole, outputs, rejections);
                    new Span<double>(partial, count - whole).CopyTo(target.Slice(chunk + whole, count - whole));
                }
                for (int w = 0; w < Chunk / 64; w++)
                    for (ulong bits = rejections[w]; bits != 0; bits &= bits - 1)
                    {
                        int i = 64 * w + BitOperations.TrailingZeroCount(bits);
                        if (i < count) first[chunk + i] = Continue(key, chunk + i, outputs[i]);
                    }
            }
    }

    /// <summary>
    /// The next <paramref name="count"/> (a multiple of 8) draws into <paramref name="target"/>, rejected ones left as
    /// ±x: draw j is the chunk's draw <paramref name="offset"/> + j, whose bit in <paramref name="rejections"/> is set
    /// and whose output is kept in <paramref name="outputs"/> if it was rejected.
    /// </summary>
    private static unsafe void Vectors(ref State state, double* target, int count, int offset, ulong* outputs, ulong* rejections)
    {
        var low = Vector512.Create(0xFFUL);
        var mantissa = Vector512.Create(Mantissa);
        var signBit = Vector512.Create(1UL << 63);
        var (s0, s1, s2, s3) = (state.S0, state.S1, state.S2, state.S3);
        fixed (double* widths = Widths)
        fixed (ulong* limits = Limits)
            for (int j = 0; j < count; j += Lanes)
            {
                var r = Rotate(s1 + (s1 << 2), 7);                        // xoshiro256**: rotl(s1·5, 7)·9
                r += r << 3;
                var t = s1 << 17;
                s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
                s2 ^= t;
                s3 = Rotate(s3, 45);

                var layer = r & low;
                var a = (r >> 9) & mantissa;
                var x = Vector512.ConvertToDouble(a) * Gather(widths, layer);
                ((x.AsUInt64() ^ ((r << 55) & signBit)).AsDouble()).Store(target + j);
                uint rejected = (uint)Vector512.GreaterThanOrEqual(a, Gather(limits, layer)).ExtractMostSignificantBits();
                if (rejected != 0)
                {
                    int i = offset + j;
                    r.Store(outputs + i);
                    rejections[i >> 6] |= (ulong)rejected << (i & 63);
                }
            }
        (state.S0, state.S1, state.S2, state.S3) = (s0, s1, s2, s3);
    }

    /// <summary>Draw <paramref name="position"/> of the key's stream, whose first output <paramref name="output"/> was not accepted in the vector part.</summary>
    private static double Continue(ulong key, int position, ulong output)
    {
        ulong state = Mix(key ^ Mix((ulong)position));
        double Uniform() => (SplitMix64(ref state) >> 11) * (1.0 / (1UL << 53));
        for (ulong r = output; ; r = SplitMix64(ref state))
        {
            int layer = (int)(r & 0xFF);
            bool negative = (r & 0x100) != 0;
            ulong a = (r >> 9) & Mantissa;
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

    /// <summary>table[i] for each lane's i (two 256-bit gathers; .NET has no 512-bit gather).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<TValue> Gather<TValue>(TValue* table, Vector512<ulong> index) where TValue : unmanaged
    {
        if (Avx512F.IsSupported)
        {
            var lower = Avx2.GatherVector256((ulong*)table, index.GetLower().AsInt64(), 8);
            var upper = Avx2.GatherVector256((ulong*)table, index.GetUpper().AsInt64(), 8);
            return Avx512F.InsertVector256(lower.ToVector512Unsafe(), upper, 1).As<ulong, TValue>();
        }
        Span<TValue> values = stackalloc TValue[Lanes];
        for (int l = 0; l < Lanes; l++) values[l] = table[index[l]];
        return Vector512.Create<TValue>(values);
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
