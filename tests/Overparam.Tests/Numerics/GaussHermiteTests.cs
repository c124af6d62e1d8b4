using Overparam.Numerics;

namespace Overparam.Tests.Numerics;

public class GaussHermiteTests
{
    [Theory]
    [InlineData(20)]
    [InlineData(96)]
    [InlineData(200)]
    public void NormalMomentsAreExact(int degree)
    {
        var gh = GaussHermite.ForStandardNormal(degree);
        // E[z^(2k)] = (2k−1)!! for N(0,1); exact for polynomials of degree < 2n.
        double doubleFactorial = 1;
        for (int k = 0; k <= 5; k++)
        {
            if (k > 0) doubleFactorial *= 2 * k - 1;
            Assert.Equal(doubleFactorial, gh.Expect(z => Math.Pow(z, 2 * k)), 1e-10 * doubleFactorial);
            Assert.Equal(0, gh.Expect(z => Math.Pow(z, 2 * k + 1)), 1e-9);
        }
        // E[cos z] = e^{-1/2}.
        Assert.Equal(Math.Exp(-0.5), gh.Expect(Math.Cos), degree >= 20 ? 1e-13 : 1e-6);
    }
}
