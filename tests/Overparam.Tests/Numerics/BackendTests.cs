using Overparam.Architectures;
using Overparam.Numerics;
using Overparam.Tests.Architectures;

namespace Overparam.Tests.Numerics;

public class BackendTests
{
    private static readonly ILinearAlgebraBackend Native = OpenBlasBackend.TryLoad(out _)
        ?? throw new InvalidOperationException("OpenBLAS is not installed: apt-get install libopenblas0-pthread");
    private static readonly ILinearAlgebraBackend Managed = new ManagedBackend();

    [Fact]
    public void OpenBlasRunsTheCoreTypeChosenForThisCpu()
    {
        var expected = OpenBlasBackend.CoreTypeForCpu();
        if (Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") is { Length: > 0 } user) expected = user;
        if (expected is not null) Assert.Equal(expected, Native.CoreType, ignoreCase: true);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void GemmAgreesAcrossBackendsAndWithLoops(bool transA, bool transB)
    {
        var rng = new GaussianRng(3);
        int m = 7, n = 5, k = 9;
        var a = new Matrix<double>(transA ? k : m, transA ? m : k);
        var b = new Matrix<double>(transB ? n : k, transB ? k : n);
        rng.FillGaussian(a.Data); rng.FillGaussian(b.Data);
        var c0 = new Matrix<double>(m, n);
        rng.FillGaussian(c0.Data);
        var expected = c0.Clone();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int l = 0; l < k; l++) s += (transA ? a[l, i] : a[i, l]) * (transB ? b[j, l] : b[l, j]);
                expected[i, j] = 0.5 * s - 2 * c0[i, j];
            }
        foreach (var backend in new[] { Native, Managed })
        {
            using var _ = LinearAlgebra.Use(backend);
            var c = c0.Clone();
            LinearAlgebra.Gemm(a, transA, b, transB, c, 0.5, -2.0);
            for (int i = 0; i < c.Data.Length; i++) Assert.Equal(expected.Data[i], c.Data[i], 1e-12);
            var cf = c0.Convert<float>();
            LinearAlgebra.Gemm(a.Convert<float>(), transA, b.Convert<float>(), transB, cf, 0.5f, -2.0f);
            for (int i = 0; i < cf.Data.Length; i++) Assert.Equal(expected.Data[i], cf.Data[i], 1e-4);
        }
    }

    [Fact]
    public void EigenvaluesAgreeAcrossBackendsAndWithTheTrace()
    {
        var rng = new GaussianRng(5);
        var a = new Matrix<double>(12, 12);
        rng.FillGaussian(a.Data);
        var s = LinearAlgebra.Multiply(a, false, a, true);               // symmetric PSD
        var native = Native.SymmetricEigenvalues(s.Data, 12);
        var managed = Managed.SymmetricEigenvalues(s.Data, 12);
        double trace = Enumerable.Range(0, 12).Sum(i => s[i, i]);
        Assert.Equal(trace, native.Sum(), 1e-10 * trace);
        for (int i = 0; i < 12; i++) Assert.Equal(native[i], managed[i], 1e-10 * native[^1]);
        Assert.Equal(native[0], Native.SmallestEigenvalue(s.Data, 12), 1e-12 * native[^1]);
        Assert.True(native.Zip(native.Skip(1)).All(p => p.First <= p.Second));
    }

    [Theory]
    [InlineData("fc")]
    [InlineData("resnet")]
    public void NetworksGiveTheSameForwardAndGradientsOnBothBackends(string kind)
    {
        var x = NetworkTestKit.UnitRows(6, 5, 17);
        double[] y = [0.1, -0.4, 0.9, 0.3, -1.1, 0.2];
        double[][] Run(ILinearAlgebraBackend backend)
        {
            using var _ = LinearAlgebra.Use(backend);
            var net = NetworkTestKit.Network(kind, 3, 33, 5, "softplus", 4);
            var u = new double[6];
            net.Forward(x, u);
            return [u, .. NetworkTestKit.AnalyticGradients(net, x, y)];
        }
        var a = Run(Native);
        var b = Run(Managed);
        for (int t = 0; t < a.Length; t++)
        {
            double scale = a[t].Max(Math.Abs);
            for (int i = 0; i < a[t].Length; i++) Assert.True(Math.Abs(a[t][i] - b[t][i]) <= 1e-12 * scale, $"tensor {t} entry {i}: {a[t][i]:R} vs {b[t][i]:R}");
        }
    }

    [Fact]
    public void MissingOpenBlasFallsBackWithANoticeNamingThePackage()
    {
        var notices = new StringWriter();
        var chosen = LinearAlgebra.Select(() => null, notices);
        Assert.Equal("managed", chosen.Name);
        Assert.Contains("apt-get install libopenblas0-pthread", notices.ToString());
        Assert.Single(notices.ToString().Trim().Split('\n'));
    }
}
