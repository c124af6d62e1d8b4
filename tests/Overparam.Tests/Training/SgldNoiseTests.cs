using Overparam.Numerics;
using Overparam.Training.Optimizers;

namespace Overparam.Tests.Training;

/// <summary>
/// Entropy-SGD's noise drawn ahead on a worker is the noise drawn block by block from its key, to the last bit.
/// </summary>
public class SgldNoiseTests
{
    private static void Same(double[] expected, IReadOnlyList<double> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(expected[i] == actual[i], $"draw {i}: {actual[i]:R} against {expected[i]:R}");
    }

    private static readonly int[] Lengths = [3 * 4096 + 17, 0, 5];

    /// <summary>Block b of parameter p at (t, i), drawn directly from its key.</summary>
    private static double[] Expected(int p, long t, int inner)
    {
        var z = new double[Lengths[p]];
        for (int b = 0; b * 4096 < z.Length; b++)
            GaussianNoise.Fill(SgldNoise<double>.Key(7, t, inner, p, b), z.AsSpan(b * 4096, Math.Min(4096, z.Length - b * 4096)));
        return z;
    }

    [Fact]
    public void DrawnAhead_Unannounced_OrByBlock_IsTheNoiseOfTheKey()
    {
        var noise = new SgldNoise<double>(7, Lengths);
        noise.Start(4, 2);
        var ahead = noise.Take(4, 2).Select(v => (double[])v.Clone()).ToArray();
        noise.Start(4, 3);
        var other = noise.Take(5, 1).Select(v => (double[])v.Clone()).ToArray();     // announced (4, 3), taken (5, 1)
        var unannounced = noise.Take(4, 2);
        for (int p = 0; p < Lengths.Length; p++)
        {
            Same(Expected(p, 4, 2), ahead[p]);
            Same(Expected(p, 5, 1), other[p]);
            Same(Expected(p, 4, 2), unannounced[p]);
        }
        var block = new double[17];
        noise.Fill(4, 2, 0, 3 * 4096, block);
        Same(Expected(0, 4, 2)[(3 * 4096)..], block);
        Assert.NotEqual(Expected(0, 4, 2), Expected(0, 4, 3));
    }

    /// <summary>
    /// Every way the worker thread and the calling thread can share a step gives the noise of the key: taken at once
    /// (the worker not yet awake, the caller draws), after the worker finished, two Starts without a Take between, a
    /// Take of another step than the one started, and a Start after the worker thread ended for want of work (its idle
    /// timeout is 1 s) — over many steps, so that the hand-overs fall at different points.
    /// </summary>
    [Fact]
    public void WorkerThread_EarlyLateOrRestarted_GivesTheNoiseOfTheKey()
    {
        var noise = new SgldNoise<double>(7, Lengths);
        void Check(long t, int inner, IReadOnlyList<double[]> drawn)
        {
            for (int p = 0; p < Lengths.Length; p++) Same(Expected(p, t, inner), drawn[p]);
        }
        for (int k = 0; k < 60; k++)
        {
            noise.Start(k, 1);
            if (k % 3 == 1) Thread.Sleep(2);                                  // the worker done before the Take
            else if (k % 3 == 2) Thread.SpinWait(k * 50);                     // the worker somewhere in the step
            Check(k, 1, noise.Take(k, 1));
        }
        noise.Start(100, 1);
        noise.Start(100, 2);                                                   // the first Start is never taken
        Check(100, 2, noise.Take(100, 2));
        noise.Start(101, 1);
        Check(101, 3, noise.Take(101, 3));                                     // not the step started
        Thread.Sleep(1500);                                                    // the worker thread ends
        noise.Start(102, 1);
        Check(102, 1, noise.Take(102, 1));
        Check(102, 1, noise.Take(102, 1));                                     // taken twice: drawn again, the same
    }

    [Fact]
    public void Float32_IsTheFloat64NoiseRounded()
    {
        var noise = new SgldNoise<float>(7, Lengths);
        noise.Start(1, 1);
        var drawn = noise.Take(1, 1);
        for (int p = 0; p < Lengths.Length; p++)
        {
            var expected = Expected(p, 1, 1);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs((float)expected[i] - drawn[p][i]) <= 1.2e-7f * Math.Max(1, Math.Abs(drawn[p][i])), $"draw {i}: {drawn[p][i]:R} against {(float)expected[i]:R}");
        }
    }
}
