using System.CommandLine;
using Overparam.Architectures;
using Overparam.Experiments;
using Overparam.Training.Optimizers;

namespace Overparam.Cli.Commands;

/// <summary>The options that describe a network, its data and its training, shared by `train`, `kernel` and others.</summary>
public sealed class SpecOptions
{
    private static readonly RunSpec D = new();

    public readonly Option<string> Arch = new("--arch") { Description = "Architecture: " + string.Join("; ", Architecture.All.Select(a => a.Description)), DefaultValueFactory = _ => D.Architecture };
    public readonly Option<int> Depth = new("--depth") { Description = "H, the number of hidden weight matrices", DefaultValueFactory = _ => D.Depth };
    public readonly Option<int> Width = new("--width") { Description = "m, neurons (channels for convresnet) per layer", DefaultValueFactory = _ => D.Width };
    public readonly Option<string> Activation = new("--activation") { Description = $"{Choices.Or(Choices.Activations)}; relu is outside the theorems", DefaultValueFactory = _ => D.Activation };
    public readonly Option<double> CRes = new("--c-res") { Description = "c_res of the residual scaling c_res/(H sqrt(m)), in (0, 1)", DefaultValueFactory = _ => D.CRes };
    public readonly Option<bool> AllowAnyCRes = new("--allow-any-c-res") { Description = "Accept --c-res outside (0, 1) (outside the theorems; warns)" };
    public readonly Option<int> KernelSize = new("--kernel-size") { Description = "q, the odd patch size of convresnet (stride 1, zero padding)", DefaultValueFactory = _ => D.KernelSize };
    public readonly Option<string> Data = new("--data") { Description = "synthetic (unit sphere), csv:PATH (features then label per row), idx:DIR (MNIST format) or fashion-mnist", DefaultValueFactory = _ => D.Data };
    public readonly Option<int> N = new("--n") { Description = "Samples (synthetic and idx data)", DefaultValueFactory = _ => D.N };
    public readonly Option<int> Dim = new("--d") { Description = "Input dimension of synthetic data (fc, resnet)", DefaultValueFactory = _ => D.D };
    public readonly Option<int> D0 = new("--d0") { Description = "Input channels d0 of synthetic convresnet data", DefaultValueFactory = _ => D.D0 };
    public readonly Option<int> P = new("--p") { Description = "Positions p of synthetic convresnet data", DefaultValueFactory = _ => D.P };
    public readonly Option<string> Labels = new("--labels") { Description = "Synthetic labels: gaussian (N(0,1)) or teacher (a fixed random network of the same architecture, width 64)", DefaultValueFactory = _ => D.Labels };
    public readonly Option<string> Classes = new("--classes") { Description = "idx data: the two classes mapped to -1 and +1, e.g. 0,1, or all (class ids 0..C-1; the t10k files are the test set)", DefaultValueFactory = _ => "0,1" };
    public readonly Option<string> ImageLayout = new("--image-layout") { Description = "idx data for convresnet: positions (an image is 1 channel x rows*cols positions) or rows (rows channels x cols positions)", DefaultValueFactory = _ => D.ImageLayout };
    public readonly Option<string?> InputShape = new("--input-shape") { Description = "csv data for convresnet: d0xp, e.g. 3x32 (features laid out channel-major: index c*p + l)" };
    public readonly Option<bool> Raw = new("--raw") { Description = "Keep inputs as given (default: scale each to unit norm, the theorems' assumption)" };
    public readonly Option<ulong?> DataSeed = new("--data-seed") { Description = "Seed of synthetic data (default: --seed)" };
    public readonly Option<ulong> Seed = new("--seed") { Description = "Seed of the weights (xoshiro256** + polar method; see docs)", DefaultValueFactory = _ => D.Seed };
    public readonly Option<double> Lr = new("--lr") { Description = "Step size η for --lr-policy fixed", DefaultValueFactory = _ => D.Lr };
    public readonly Option<string?> LrPolicy = new("--lr-policy") { Description = $"One of {string.Join(", ", Choices.LrPolicies)}. fixed: --lr; theory: c*lambda0/n^2 (fc), c*lambda0*H^2/n^2 (resnet); stable: c/lambda_max(G(0)). Default: fixed when --lr is given, else stable" };
    public readonly Option<double> LrConstant = new("--lr-constant") { Description = "The constant c of the theory and stable policies", DefaultValueFactory = _ => D.LrConstant };
    public readonly Option<int> Steps = new("--steps") { Description = "Step budget", DefaultValueFactory = _ => D.Steps };
    public readonly Option<double> TargetLoss = new("--target-loss") { Description = "Stop when L = 1/2 sum (f(x_i)-y_i)^2 reaches this", DefaultValueFactory = _ => D.TargetLoss };
    public readonly Option<string> Train = new("--train") { Description = "Which parameters train: all (the deep paper), hidden, output, or a list such as W1,a", DefaultValueFactory = _ => D.Train };
    public readonly Option<string> OutputInit = new("--output-init") { Description = "a at init: gaussian (N(0,1), the deep paper) or sign (uniform on +-1, the ICLR companion)", DefaultValueFactory = _ => D.OutputInit };
    public readonly Option<string> DType = new("--dtype") { Description = $"{Choices.Or(Choices.DTypes)} (Gram matrices and eigenvalues are always float64)", DefaultValueFactory = _ => D.DType };
    public readonly Option<int> ProbeEvery = new("--probe-every") { Description = "Measure Gram matrices, weight movement and kernel predictions every k steps (0: never)", DefaultValueFactory = _ => D.ProbeEvery };
    public readonly Option<string?> Optimizer = new("--optimizer") { Description = "Optimizer: " + string.Join("; ", OptimizerKind.All.Select(o => o.Description)) };
    public readonly Option<string?> Init = new("--init") { Description = "Start from these weights (safetensors with W1..WH and a) instead of the seed" };

    // Data: held-out sets and classification (issue 12)
    public readonly Option<int?> NTest = new("--n-test") { Description = "Test samples: the first n of idx:DIR's t10k files (default with --classes all: all of them; --classes a,b: n/2 of each), or the fresh test sample of mixture and teacher-classes data (default 1000)" };
    public readonly Option<string?> TestData = new("--test-data") { Description = "Test set from a file: csv:PATH, idx:DIR or fashion-mnist (the t10k files); same number of features as the training data" };
    public readonly Option<double?> TestFraction = new("--test-fraction") { Description = "Test set from a seeded random split of the csv or idx training data: this fraction f in (0, 1), the last ceil(f*n) of a Fisher-Yates shuffle with --data-seed" };
    public readonly Option<double?> BayesError = new("--bayes-error") { Description = "--data mixture: the Bayes error eps in (0, 0.5] that sets ||mu|| = -PhiInverse(eps) (default 0.1)" };
    public readonly Option<bool> Standardize = new("--standardize") { Description = "Standardize each feature with the training set's mean and std, train and test alike (instead of scaling each input to unit norm)" };
    public readonly Option<int?> ClassesCount = new("--classes-count") { Description = "Number of classes C >= 2, labels 0..C-1 (teacher-classes needs it or --outputs; idx --classes all: default 1 + the largest label)" };

    /// <summary>The held-out-set and classification options.</summary>
    public IEnumerable<Option> HeldOutAndClasses => [NTest, TestData, TestFraction, BayesError, Standardize, ClassesCount];

    /// <summary>Options for describing data and a network only (for `kernel`).</summary>
    public IEnumerable<Option> NetworkAndData => [Arch, Depth, Width, Activation, CRes, AllowAnyCRes, KernelSize, Data, N, Dim, D0, P, Labels, Classes, ImageLayout, InputShape, Raw, DataSeed, Seed, OutputInit, .. HeldOutAndClasses];

    public IEnumerable<Option> All => [.. NetworkAndData, Lr, LrPolicy, LrConstant, Optimizer, Steps, TargetLoss, Train, DType, ProbeEvery, Init];

    public RunSpec ToSpec(ParseResult r)
    {
        var spec = new RunSpec
        {
            Architecture = r.GetValue(Arch)!, Depth = r.GetValue(Depth), Width = r.GetValue(Width), Activation = r.GetValue(Activation)!,
            CRes = r.GetValue(CRes), AllowAnyCRes = r.GetValue(AllowAnyCRes), KernelSize = r.GetValue(KernelSize),
            Data = r.GetValue(Data)!, N = r.GetValue(N), D = r.GetValue(Dim), D0 = r.GetValue(D0), P = r.GetValue(P),
            Labels = r.GetValue(Labels)!, ImageLayout = r.GetValue(ImageLayout)!, InputShape = r.GetValue(InputShape),
            RawInputs = r.GetValue(Raw), DataSeed = r.GetValue(DataSeed), Seed = r.GetValue(Seed),
            OutputInit = r.GetValue(OutputInit)!,
            Lr = r.GetValue(Lr), LrPolicy = r.GetValue(LrPolicy) ?? (r.GetResult(Lr) is { Implicit: false } ? "fixed" : "stable"), LrConstant = r.GetValue(LrConstant), Steps = r.GetValue(Steps),
            TargetLoss = r.GetValue(TargetLoss), Train = r.GetValue(Train) ?? D.Train,
            DType = r.GetValue(DType) ?? D.DType, ProbeEvery = r.GetValue(ProbeEvery), Init = r.GetValue(Init), Optimizer = r.GetValue(Optimizer),
        };
        // Data: held-out sets and classification (issue 12)
        Overparam.Data.ClassSelection classes;
        try { classes = Overparam.Data.ClassSelection.Parse(r.GetValue(Classes)!); }
        catch (FormatException e) { throw new RunSpecException(e.Message); }
        return spec with
        {
            Classes = classes, NTest = r.GetValue(NTest), TestData = r.GetValue(TestData), TestFraction = r.GetValue(TestFraction),
            BayesError = r.GetValue(BayesError), Standardize = r.GetValue(Standardize), ClassesCount = r.GetValue(ClassesCount),
        };
    }
}
