using Overparam.Activations;
using Overparam.Architectures;
using Overparam.Numerics;
using Overparam.Training.Losses;

namespace Overparam.Tests.Architectures;

/// <summary>Small networks and data for the architecture tests, and the slow references they are checked against.</summary>
public static class NetworkTestKit
{
    public static Matrix<double> UnitRows(int n, int d, ulong seed)
    {
        var rng = new GaussianRng(seed);
        var x = new Matrix<double>(n, d);
        rng.FillGaussian(x.Data);
        for (int i = 0; i < n; i++)
        {
            var row = x.Row(i);
            double norm = Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares<double>(row));
            System.Numerics.Tensors.TensorPrimitives.Divide<double>(row, norm, row);
        }
        return x;
    }

    public static INetwork<double> Network(string kind, int depth, int width, int inputs, string activation,
        ulong seed, double cRes = 0.5, int positions = 1, int q = 3)
    {
        var c = new NetworkConfig(Architecture.Parse(kind), depth, width, inputs, Activation.Parse(activation), cRes, positions, q);
        return (INetwork<double>)NetworkFactory.Create(c, NetworkFactory.Initialize<double>(c, new GaussianRng(seed)));
    }

    public static double Loss(INetwork<double> net, Matrix<double> x, double[] y)
    {
        var u = new double[x.Rows];
        net.Forward(x, u);
        double l = 0;
        for (int i = 0; i < u.Length; i++) l += 0.5 * (u[i] - y[i]) * (u[i] - y[i]);
        return l;
    }

    public static double[] Residual(INetwork<double> net, Matrix<double> x, double[] y)
    {
        var u = new double[x.Rows];
        net.Forward(x, u);
        return u.Select((v, i) => v - y[i]).ToArray();
    }

    public static double[][] AnalyticGradients(INetwork<double> net, Matrix<double> x, double[] y)
    {
        var r = Residual(net, x, y);
        net.BackPropagate();
        var grads = net.Parameters.Select(p => new double[p.Value.Length]).ToArray();
        net.Gradients(r, grads);
        return grads;
    }

    /// <summary>Asserts every parameter's gradient matches central finite differences, relative error &lt; tol.</summary>
    public static void AssertGradientsMatchFiniteDifferences(INetwork<double> net, Matrix<double> x, double[] y, double tol = 1e-6)
    {
        var grads = AnalyticGradients(net, x, y);
        for (int p = 0; p < net.Parameters.Count; p++)
        {
            var theta = net.Parameters[p].Value;
            var fd = new double[theta.Length];
            for (int k = 0; k < theta.Length; k++)
            {
                double old = theta[k], step = 1e-5 * Math.Max(1, Math.Abs(old));
                theta[k] = old + step; double lp = Loss(net, x, y);
                theta[k] = old - step; double lm = Loss(net, x, y);
                theta[k] = old;
                fd[k] = (lp - lm) / (2 * step);
            }
            double diff = 0, norm = 0;
            for (int k = 0; k < theta.Length; k++) { diff += (fd[k] - grads[p][k]) * (fd[k] - grads[p][k]); norm += grads[p][k] * grads[p][k]; }
            double rel = Math.Sqrt(diff / norm);
            Assert.True(rel < tol, $"{net.Parameters[p].Name}: relative error {rel:E2} ≥ {tol:E0}");
        }
    }

    /// <summary>DescentStep with W2 frozen equals θ − 0.1·∂L/∂θ for the other parameters and leaves W2 unchanged.</summary>
    public static void AssertDescentStepMatchesGradients(INetwork<double> net, Matrix<double> x, double[] y)
    {
        var grads = AnalyticGradients(net, x, y);
        var before = net.Parameters.Select(p => (double[])p.Value.Clone()).ToArray();
        var r = Residual(net, x, y);
        net.BackPropagate();
        var trained = net.Parameters.Select((_, i) => i != 1).ToArray();
        net.DescentStep(r, 0.1, trained);
        for (int i = 0; i < before.Length; i++)
            for (int k = 0; k < before[i].Length; k++)
                Assert.Equal(trained[i] ? before[i][k] - 0.1 * grads[i][k] : before[i][k], net.Parameters[i].Value[k], 1e-13);
    }

    /// <summary>G^(h)_ij from explicit per-sample gradients ∂u_i/∂θ (the gradient of L with residual e_i).</summary>
    public static Matrix<double>[] ExplicitGrams(INetwork<double> net, Matrix<double> x)
    {
        int n = x.Rows, np = net.Parameters.Count;
        var u = new double[n];
        net.Forward(x, u);
        net.BackPropagate();
        var jac = new double[n][][];
        for (int i = 0; i < n; i++)
        {
            var e = new double[n]; e[i] = 1;
            jac[i] = net.Parameters.Select(p => new double[p.Value.Length]).ToArray();
            net.Gradients(e, jac[i]);
        }
        var grams = new Matrix<double>[np];
        for (int p = 0; p < np; p++)
        {
            grams[p] = new Matrix<double>(n, n);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0;
                    for (int k = 0; k < jac[i][p].Length; k++) s += jac[i][p][k] * jac[j][p][k];
                    grams[p][i, j] = s;
                }
        }
        return grams;
    }

    public static void AssertClose(Matrix<double> expected, Matrix<double> actual, double relTol, string what)
    {
        double scale = expected.Data.Max(Math.Abs);
        for (int k = 0; k < expected.Data.Length; k++)
            Assert.True(Math.Abs(expected.Data[k] - actual.Data[k]) <= relTol * scale,
                $"{what}: entry {k}: expected {expected.Data[k]:R}, got {actual.Data[k]:R}");
    }

    /// <summary>∂L/∂θ of a model by its backward pass (forward, the loss's ∂L/∂u, Backward, Gradients).</summary>
    public static double[][] ModelGradients(IModel<double> model, Matrix<double> x, double[] y, ILoss loss)
    {
        var u = new double[x.Rows * model.Outputs];
        var g = new double[u.Length];
        model.Forward(x, u);
        loss.Evaluate<double>(u, y, model.Outputs, g);
        model.Backward(g);
        var grads = model.Parameters.Select(t => new double[t.Value.Length]).ToArray();
        model.Gradients(grads);
        return grads;
    }

    /// <summary>
    /// For every parameter tensor of the model: the backward pass's gradient, and central differences of the loss
    /// (step 1e-5·max(1, |θ_k|)) as the reference: the relative error ‖fd − g‖/‖fd‖ and ‖fd‖.
    /// </summary>
    public static IReadOnlyList<(string Name, double Relative, double FdNorm, double[] Analytic)> FiniteDifferenceErrors(
        IModel<double> model, Matrix<double> x, double[] y, ILoss loss)
    {
        int outputs = model.Outputs;
        double Value()
        {
            var u = new double[x.Rows * outputs];
            model.Forward(x, u);
            return loss.Evaluate<double>(u, y, outputs, new double[u.Length]);
        }
        var grads = ModelGradients(model, x, y, loss);
        var result = new List<(string, double, double, double[])>();
        for (int q = 0; q < model.Parameters.Count; q++)
        {
            var theta = model.Parameters[q].Value;
            double diff = 0, norm = 0;
            for (int k = 0; k < theta.Length; k++)
            {
                double old = theta[k], h = 1e-5 * Math.Max(1, Math.Abs(old));
                theta[k] = old + h; double lp = Value();
                theta[k] = old - h; double lm = Value();
                theta[k] = old;
                double fd = (lp - lm) / (2 * h);
                diff += (fd - grads[q][k]) * (fd - grads[q][k]);
                norm += fd * fd;
            }
            result.Add((model.Parameters[q].Name, Math.Sqrt(diff / Math.Max(norm, 1e-300)), Math.Sqrt(norm), grads[q]));
        }
        return result;
    }

    /// <summary>Every parameter tensor's gradient within relative 1e-6 of central differences (<see cref="FiniteDifferenceErrors"/>).</summary>
    public static void AssertModelGradientsMatchFiniteDifferences(IModel<double> model, Matrix<double> x, double[] y, ILoss loss)
    {
        foreach (var (name, rel, fdNorm, _) in FiniteDifferenceErrors(model, x, y, loss))
            Assert.True(rel < 1e-6, $"{name}: relative error {rel:E2} (‖fd‖ = {fdNorm:E2})");
    }
}
