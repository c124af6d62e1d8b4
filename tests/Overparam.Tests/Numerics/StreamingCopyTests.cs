using Overparam.Numerics;

namespace Overparam.Tests.Numerics;

/// <summary>The streaming copy is a copy: every length and every offset of source and target within a cache line.</summary>
public class StreamingCopyTests
{
    private static void CheckAll<T>(Func<int, T> value) where T : unmanaged, IEquatable<T>
    {
        var source = Enumerable.Range(0, 400).Select(value).ToArray();
        var target = new T[400];
        for (int from = 0; from < 16; from++)
            for (int to = 0; to < 16; to++)
                foreach (int n in new[] { 0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 300, 383 })
                {
                    Array.Fill(target, default);
                    StreamingCopy.Copy<T>(source.AsSpan(from, n), target.AsSpan(to, n));
                    for (int i = 0; i < target.Length; i++)
                    {
                        var expected = i >= to && i < to + n ? source[from + i - to] : default;
                        Assert.True(expected.Equals(target[i]), $"{typeof(T).Name} from {from} to {to} length {n}: element {i}");
                    }
                }
    }

    [Fact]
    public void CopiesEveryLengthAndOffset()
    {
        CheckAll(i => 1.0 + i * Math.PI);
        CheckAll(i => (float)(i * 0.37) - 5f);
    }

    [Fact]
    public void LengthsThatDiffer_AreRefused() =>
        Assert.Throws<ArgumentException>(() => StreamingCopy.Copy<double>(new double[200], new double[199]));
}
