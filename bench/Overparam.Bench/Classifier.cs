using System.Numerics;
using Overparam.Architectures;
using Overparam.Data;
using Overparam.Experiments;
using Overparam.Numerics;
using Overparam.Training;

namespace Overparam.Bench;

/// <summary>
/// Issue 12's speed configuration: Fashion-MNIST (60k train, 10k test, standardized), fc 784 → 1024 → 1024 → 10,
/// standard parameterization with biases, ReLU, cross-entropy, SGD lr 0.01 momentum 0.9, batch 128. The same as
/// <c>overparam train --data fashion-mnist --classes all --n 60000 --n-test 10000 --standardize --arch fc --depth 2
/// --width 1024 --parameterization standard --bias --activation relu --optimizer sgd --momentum 0.9 --lr 0.01
/// --batch-size 128 --epochs E --dtype T</c>.
/// </summary>
public static class Classifier
{
    public const int Train = 60000, Test = 10000, Width = 1024, Depth = 2, BatchSize = 128;
    public const double Lr = 0.01, Momentum = 0.9;

    public static bool DataAvailable => File.Exists(Path.Combine(DataSpec.FashionMnistDirectory, "train-images-idx3-ubyte.gz"));

    /// <summary>The run; <paramref name="quick"/> (--quick) takes a tenth of the samples.</summary>
    public static RunSpec Spec(string dtype, int epochs, int evalEvery = 0, bool quick = false) => new()
    {
        Data = "fashion-mnist", Classes = ClassSelection.All, N = quick ? Train / 10 : Train, NTest = quick ? Test / 10 : Test, Standardize = true,
        Architecture = "fc", Depth = Depth, Width = Width, Parameterization = "standard", Bias = true, Activation = "relu",
        Optimizer = "sgd", Momentum = Momentum, Lr = Lr, BatchSize = BatchSize, Epochs = epochs, DType = dtype,
        EvalEvery = evalEvery,
    };

    /// <summary>
    /// A fresh scratch folder for the bench's run folders (deleted by the caller), in /dev/shm when there is one: each run
    /// writes a 440 MB data.safetensors just before training, and the kernel writing it back to a disk would share the
    /// cores with the timed loop.
    /// </summary>
    public static string ScratchRoot()
    {
        string parent = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        var root = Path.Combine(parent, $"overparam-bench-classifier-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        return root;
    }

    /// <summary>One run as `overparam train --out dir` does it (dir replaced if present): data, folder, training.</summary>
    public static RunOutcome Run(RunSpec spec, string dir)
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
        return RunExecutor.Execute(spec, dir);
    }

    /// <summary>GEMM flops of an epoch of <paramref name="n"/> samples: ⌊n/B⌋ full batches and the remainder.</summary>
    public static double EpochFlops(int n) => StepFlops() * (n / BatchSize) + StepFlops(n % BatchSize);

    /// <summary>Per-step flops of the GEMMs at a full batch of B: forward Z1, Z2, U; backward B2 = G Aᵀ, B1 = Δ2 W2;
    /// gradients of W1, W2, A and the three GEMV-shaped bias gradients.</summary>
    public static double StepFlops(int b = BatchSize, int d = 784, int m = Width, int c = 10) =>
        2.0 * b * (d * m + m * m + m * c) + 2.0 * b * (m * c + m * m) + 2.0 * b * (m * d + m * m + m * c) + 2.0 * b * (2 * m + c);
}
