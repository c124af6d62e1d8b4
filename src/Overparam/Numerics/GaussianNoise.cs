using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Overparam.Numerics;

/// <summary>
/// Bulk standard normals for noise that is added to every coordinate of a parameter at every step (Entropy-SGD's SGLD
/// noise), at about a nanosecond a draw instead of the polar method's ten. A block of draws is a pure function of a
/// 64-bit key, so blocks can be drawn in any order and on any thread:
/// <list type="number">
/// <item>8 xoshiro256** generators (Blackman and Vigna, 2018), generator ℓ seeded by SplitMix64 from
/// key ^ (0x9E3779B97F4A7C15·(ℓ + 1)), advanced together in one 512-bit vector; each output x gives the double
/// v = 1 + (x &gt;&gt; 12)·2^−52 in [1, 2) (its 52 top bits as the mantissa).</item>
/// <item>A block of n draws (n even; an odd n draws n + 1 and drops the last) is made of pieces of up to 2P = 1024:
/// P outputs give u = 2 − v in (0, 1], the next P give θ = 2π(v − 1) in [0, 2π), output k of a piece being
/// generator k mod 8's (k div 8)-th; Box–Muller then gives z_k = sqrt(−2 ln u_k) cos θ_k for the piece's first half
/// and z_{P+k} = sqrt(−2 ln u_k) sin θ_k for its second.</item>
/// </list>
/// ln, sin and cos are <see cref="TensorPrimitives"/>' vectorized ones, so the bits are the same for the same key on
/// the same machine and .NET, not necessarily across CPUs with other vector widths (GaussianRng's polar method is the
/// generator whose sequence is platform-independent).
/// </summary>
public static class GaussianNoise
{
    private const int Lanes = 8, Pairs = 512;

    [ThreadStatic] private static double[]? radius, angle, sine, cosine;

    /// <summary>Fills <paramref name="target"/> with N(0, 1) draws, a function of <paramref name="key"/> and the length only.</summary>
    public static void Fill(ulong key, Span<double> target)
    {
        radius ??= new double[Pairs]; angle ??= new double[Pairs]; sine ??= new double[Pairs]; cosine ??= new double[Pairs];
        var s = Seed(key);
        for (int start = 0; start < target.Length; start += 2 * Pairs)
        {
            int pairs = Math.Min(Pairs, (target.Length - start + 1) / 2);
            int rounded = (pairs + Lanes - 1) / Lanes * Lanes;
            Span<double> r = radius.AsSpan(0, pairs), t = angle.AsSpan(0, pairs), sin = sine.AsSpan(0, pairs), cos = cosine.AsSpan(0, pairs);
            Uniforms(ref s, radius, rounded, two: true);                  // u = 2 − v ∈ (0, 1]
            Uniforms(ref s, angle, rounded, two: false);                  // θ = 2π(v − 1) ∈ [0, 2π)
            TensorPrimitives.Log(r, r);
            Radius(r);                                                    // sqrt(−2 ln u)
            TensorPrimitives.Sin(t, sin);                                 // (SinCos is not vectorized for double)
            TensorPrimitives.Cos(t, cos);
            var piece = target.Slice(start, Math.Min(2 * pairs, target.Length - start));
            TensorPrimitives.Multiply(r, cos, piece[..pairs]);
            TensorPrimitives.Multiply(r[..(piece.Length - pairs)], sin[..(piece.Length - pairs)], piece[pairs..]);
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

    /// <summary><paramref name="count"/> (a multiple of 8, at most the target's length) outputs as 2 − v (<paramref name="two"/>) or 2π(v − 1) into <paramref name="target"/> (v − 1 rounded, then the product).</summary>
    /// <remarks>The state lives in locals for the loop (through the ref it was spilled and reloaded at every step: 1.3 ns a draw, a third of Fill).</remarks>
    private static void Uniforms(ref State s, double[] target, int count, bool two)
    {
        if ((uint)count > (uint)target.Length) throw new ArgumentOutOfRangeException(nameof(count));
        var exponent = Vector512.Create(0x3FF0000000000000UL);
        var offset = Vector512.Create(two ? 2.0 : -1.0);
        var twoPi = Vector512.Create(2 * Math.PI);
        var (s0, s1, s2, s3) = (s.S0, s.S1, s.S2, s.S3);
        ref double first = ref MemoryMarshal.GetArrayDataReference(target);
        for (int i = 0; i < count; i += Lanes)
        {
            var result = Rotate(s1 + (s1 << 2), 7);                       // rotl(s1·5, 7)·9
            result += result << 3;
            var t = s1 << 17;
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
            s2 ^= t;
            s3 = Rotate(s3, 45);
            var v = ((result >> 12) | exponent).AsDouble();
            var u = two ? offset - v : (v + offset) * twoPi;
            u.StoreUnsafe(ref first, (nuint)i);
        }
        (s.S0, s.S1, s.S2, s.S3) = (s0, s1, s2, s3);
    }

    /// <summary>r ← sqrt(−2 r) in one pass (as TensorPrimitives' Multiply then Sqrt: both are exact roundings).</summary>
    private static void Radius(Span<double> r)
    {
        ref double first = ref MemoryMarshal.GetReference(r);
        int j = 0;
        for (; j <= r.Length - Lanes; j += Lanes)
            Vector512.Sqrt(Vector512.LoadUnsafe(ref first, (nuint)j) * -2.0).StoreUnsafe(ref first, (nuint)j);
        for (; j < r.Length; j++) r[j] = Math.Sqrt(r[j] * -2.0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Rotate(Vector512<ulong> x, [ConstantExpected] byte k) =>
        Avx512F.IsSupported ? Avx512F.RotateLeft(x, k) : (x << k) | (x >> (64 - k));

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
