using System.Numerics;
using Overparam.Architectures;
using Overparam.Numerics;
using Overparam.Training;
using Overparam.Training.Losses;
using Overparam.Training.Optimizers;

namespace Overparam.Bench;

/// <summary>A network with the paper's initialization, unit-norm inputs and N(0, 1) labels, and one full-batch GD step.</summary>
public sealed class NetworkSetup<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Small enough that a few dozen steps keep every value tame; timing does not depend on it.</summary>
    public const double Eta = 1e-6;

    public INetwork<T> Net { get; }
    public Matrix<T> X { get; }
    public T[] Y { get; }
    public T[] U { get; }
    public T[] R { get; }
    public int N => X.Rows;

    public NetworkSetup(NetworkConfig config, int n, ulong seed = 1)
    {
        var rng = new GaussianRng(seed);
        Net = (INetwork<T>)NetworkFactory.Create(config, NetworkFactory.Initialize<T>(config, rng));
        X = new Matrix<T>(n, config.InputSize);
        for (int i = 0; i < n; i++)
        {
            var row = new double[config.InputSize];
            rng.FillGaussian(row);
            double norm = Math.Sqrt(row.Sum(v => v * v));
            for (int j = 0; j < row.Length; j++) X[i, j] = T.CreateTruncating(row[j] / norm);
        }
        Y = new T[n];
        for (int i = 0; i < n; i++) Y[i] = T.CreateTruncating(rng.NextGaussian());
        U = new T[n];
        R = new T[n];
    }

    public void Forward() => Net.Forward(X, U);

    public void Residual() => System.Numerics.Tensors.TensorPrimitives.Subtract(U, Y, R);

    private readonly GradientDescent<T> optimizer = new(Eta);

    /// <summary>
    /// One full-batch GD step on all layers as the training loop takes it: Forward, the half-sum-squares loss and its
    /// residual, Backward (BackPropagate), and the gd optimizer's fused DescentStep.
    /// </summary>
    public void Step()
    {
        Forward();
        HalfSumSquares.Instance.Evaluate<T>(U, Y, 1, R);
        Net.Backward(R);
        optimizer.Step(new OptimizerStep<T> { Step = 0, Model = Net, OutputGradient = R });
    }
}
