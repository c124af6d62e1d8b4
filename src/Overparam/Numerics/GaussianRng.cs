namespace Overparam.Numerics;

/// <summary>
/// Seeded standard-normal generator with a documented, platform-independent algorithm:
/// the state of xoshiro256** (Blackman and Vigna, 2018) is filled from the 64-bit seed by SplitMix64,
/// uniforms are the top 53 bits of each output divided by 2^53, and normals come from
/// Marsaglia's polar method (pairs (u, v) uniform in (−1, 1)², rejected unless 0 &lt; s = u² + v² &lt; 1,
/// then u·sqrt(−2 ln s / s) and v·sqrt(−2 ln s / s), in that order).
/// The same seed gives the same sequence on every machine (up to the last bit of libm's log).
/// </summary>
public sealed class GaussianRng
{
    private ulong s0, s1, s2, s3;
    private double spare;
    private bool hasSpare;

    public GaussianRng(ulong seed)
    {
        ulong x = seed;
        s0 = SplitMix64(ref x); s1 = SplitMix64(ref x); s2 = SplitMix64(ref x); s3 = SplitMix64(ref x);
    }

    /// <summary>
    /// The whole state: xoshiro256**'s four words and the polar method's spare normal, so that a generator saved and
    /// restored (an optimizer's checkpoint) continues the same sequence.
    /// </summary>
    public (ulong S0, ulong S1, ulong S2, ulong S3, double Spare, bool HasSpare) State
    {
        get => (s0, s1, s2, s3, spare, hasSpare);
        set => (s0, s1, s2, s3, spare, hasSpare) = value;
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next raw 64-bit output of xoshiro256**.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform on [0, 1) with 53 random bits.</summary>
    public double NextUniform() => (NextUInt64() >> 11) * (1.0 / 9007199254740992.0);

    /// <summary>A standard normal N(0, 1) draw (Marsaglia polar method).</summary>
    public double NextGaussian()
    {
        if (hasSpare) { hasSpare = false; return spare; }
        double u, v, s;
        do
        {
            u = 2.0 * NextUniform() - 1.0;
            v = 2.0 * NextUniform() - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        double f = Math.Sqrt(-2.0 * Math.Log(s) / s);
        spare = v * f; hasSpare = true;
        return u * f;
    }

    /// <summary>Fills the span with N(0, 1) draws, in order.</summary>
    public void FillGaussian(Span<double> target)
    {
        for (int i = 0; i < target.Length; i++) target[i] = NextGaussian();
    }

    /// <summary>+1 or −1 with probability one half each (the ICLR companion's output layer).</summary>
    public double NextSign() => (NextUInt64() >> 63) == 0 ? 1.0 : -1.0;
}
