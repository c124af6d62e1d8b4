// Times K^(H) + Θ for n unit inputs (default n = 1000, H = 16): dotnet run -c Release --project bench/KernelBench [n] [H]
using Overparam.Activations;
using Overparam.Architectures.FullyConnected;
using Overparam.Architectures.ResNet;
using Overparam.Kernels;
using Overparam.Numerics;

int n = args.Length > 0 ? int.Parse(args[0]) : 1000, depth = args.Length > 1 ? int.Parse(args[1]) : 16, d = 50;
var rng = new GaussianRng(5);
var x = new Matrix<double>(n, d);
for (int i = 0; i < n; i++)
{
    var row = x.Row(i);
    rng.FillGaussian(row);
    double norm = Math.Sqrt(row.ToArray().Sum(v => v * v));
    for (int k = 0; k < d; k++) row[k] /= norm;
}
FullyConnectedKernel.Compute(new Matrix<double>(4, d, x.Data[..(4 * d)]), 2, new Softplus());   // warm-up (JIT, BLAS load)
var options = new KernelOptions { ComputeSpectra = false };
foreach (var name in new[] { "softplus", "tanh", "gelu", "relu" })
{
    var sw = System.Diagnostics.Stopwatch.StartNew();
    var fc = FullyConnectedKernel.Compute(x, depth, Activation.Parse(name), options);
    double tFc = sw.Elapsed.TotalSeconds; sw.Restart();
    var res = ResNetKernel.Compute(x, depth, Activation.Parse(name), 0.5, options);
    double tRes = sw.Elapsed.TotalSeconds;
    Console.WriteLine($"{name,-8} n={n} H={depth}  fully-connected K^(H)+Θ {tFc,6:f2} s (λ0 {fc.Lambda0:e3}, fallbacks {fc.QuadratureFallbacks})" +
                      $"  resnet {tRes,6:f2} s (λ0 {res.Lambda0:e3}, fallbacks {res.QuadratureFallbacks})");
}
