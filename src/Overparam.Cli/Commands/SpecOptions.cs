using System.CommandLine;
using Overparam.Architectures;
using Overparam.Experiments;
using Overparam.Training.Optimizers;

namespace Overparam.Cli.Commands;

/// <summary>
/// The options that describe a network, its data and its training: all of them for `train` (<see cref="All"/>), the
/// ones an infinite-width kernel depends on for `kernel` (<see cref="Kernel"/>). <see cref="ToSpec"/> takes the RunSpec
/// default for every option the command does not have.
/// </summary>
public sealed class SpecOptions
{
    private static readonly RunSpec D = new();

    public readonly Option<string> Arch = new("--arch") { Description = "Architecture: " + string.Join("; ", Architecture.All.Select(a => a.Description)), DefaultValueFactory = _ => D.Architecture };
    public readonly Option<int> Depth = new("--depth") { Description = "H, the number of hidden weight matrices", DefaultValueFactory = _ => D.Depth };
    public readonly Option<int> Width = new("--width") { Description = "m, neurons (channels for convresnet) per layer", DefaultValueFactory = _ => D.Width };
    public readonly Option<int?> FeatureWidth = new("--feature-width") { Description = "fc, resnet: M_H, the width of the last hidden layer, whose features Phi (n x M_H) the output layer multiplies; the other layers keep --width (a resnet's widening last layer has no skip). Kernels, lambda0 and --probe-every assume one width (default: --width)" };
    public readonly Option<bool> BatchNorm = new("--batch-norm") { Description = "fc, resnet with --parameterization standard: batch-normalize every layer's pre-activations before sigma (PyTorch's BatchNorm1d: eps 1e-5, momentum 0.1; batch statistics in training steps, running statistics in evaluation, probes and after --two-phase-at tau); gamma, beta are trained (bn{h}.weight, bn{h}.bias), the running statistics are saved with the weights" };
    public readonly Option<string> Activation = new("--activation") { Description = $"{Choices.Or(Choices.Activations)}; relu is outside the theorems", DefaultValueFactory = _ => D.Activation };
    public readonly Option<double> CRes = new("--c-res") { Description = "c_res of the residual scaling c_res/(H sqrt(m)), in (0, 1)", DefaultValueFactory = _ => D.CRes };
    public readonly Option<bool> AllowAnyCRes = new("--allow-any-c-res") { Description = "Accept --c-res outside (0, 1) (outside the theorems; warns)" };
    public readonly Option<int> KernelSize = new("--kernel-size") { Description = "q, the odd patch size of convresnet (stride 1, zero padding)", DefaultValueFactory = _ => D.KernelSize };
    public readonly Option<string> Data = new("--data") { Description = "synthetic (unit sphere), csv:PATH (features then label per row), idx:DIR (MNIST format) or fashion-mnist; file formats in docs/formats.md", DefaultValueFactory = _ => D.Data };
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
    public readonly Option<double?> Lr = new("--lr") { Description = $"Step size η. Given alone it selects --lr-policy fixed; --lr-policy fixed without --lr uses {D.Lr}" };
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

    // Classification and stochastic training (issue 12)
    public readonly Option<int?> Outputs = new("--outputs") { Description = "C, outputs per sample (default: the data's number of classes, else 1); Gram matrices, kernels and probes exist for C = 1" };
    public readonly Option<string?> Parameterization = new("--parameterization") { Description = "ntk (the paper's: weights N(0,1), width factors in the forward pass; default) or standard (weights N(0,1/fan_in), no width factor; the ResNet keeps c_res/H)" };
    public readonly Option<bool> Bias = new("--bias") { Description = "Zero-initialized biases b1..bH and b_out" };
    public readonly Option<string?> Loss = new("--loss") { Description = "half-sum-squares (the paper's 1/2 sum, default for C = 1), mse (mean over samples and outputs of (f - onehot)^2) or cross-entropy (softmax, mean over the batch; default for C > 1)" };
    public readonly Option<int?> BatchSize = new("--batch-size") { Description = "Samples per step (default: all n, full-batch gradient descent)" };
    public readonly Option<int?> Epochs = new("--epochs") { Description = "Train for this many epochs of ceil(n/B) steps instead of --steps" };
    public readonly Option<bool> Shuffle = new("--shuffle") { Description = "Shuffle the minibatches each epoch, seeded by --seed; --shuffle false: batches in data order", DefaultValueFactory = _ => true };
    public readonly Option<double?> Momentum = new("--momentum") { Description = "sgd, rmsprop, entropy-sgd (outer), replicated-sgd: momentum mu (default 0)" };
    public readonly Option<double?> Dampening = new("--dampening") { Description = "sgd, entropy-sgd, replicated-sgd: dampening of the momentum (default 0)" };
    public readonly Option<bool> Nesterov = new("--nesterov") { Description = "sgd, entropy-sgd (both loops), replicated-sgd: Nesterov momentum (needs --momentum > 0)" };
    public readonly Option<double?> WeightDecay = new("--weight-decay") { Description = "sgd, adam, rmsprop, entropy-sgd (both loops), replicated-sgd: L2 penalty added to the gradient, PyTorch's weight_decay (default 0)" };
    public readonly Option<double?> Beta1 = new("--beta1") { Description = "adam: beta1 in [0, 1) (default 0.9)" };
    public readonly Option<double?> Beta2 = new("--beta2") { Description = "adam: beta2 in [0, 1) (default 0.999)" };
    public readonly Option<double?> Epsilon = new("--epsilon") { Description = "adam, rmsprop: eps (default 1e-8)" };
    public readonly Option<double?> Alpha = new("--alpha") { Description = "rmsprop: smoothing alpha (default 0.99)" };
    public readonly Option<bool> Centered = new("--centered") { Description = "rmsprop: the centered variant" };
    public readonly Option<string?> LrSchedule = new("--lr-schedule") { Description = $"Per-epoch learning rate: {Choices.Or(Choices.LrSchedules)} (default constant)" };
    public readonly Option<string?> LrMilestones = new("--lr-milestones") { Description = "--lr-schedule step: epochs at which eta is multiplied by --lr-gamma, e.g. 150,225" };
    public readonly Option<double?> LrGamma = new("--lr-gamma") { Description = "--lr-schedule step: the factor (default 0.1)" };
    public readonly Option<int> EvalEvery = new("--eval-every") { Description = "Train and test loss and error every k epochs (every k steps for full-batch runs) and at the end, as extra metrics.csv columns (0: never)" };
    public readonly Option<int> CheckpointEvery = new("--checkpoint-every") { Description = "Write checkpoint.safetensors (parameters, optimizer state, position) every k steps, for `train --resume` (0: never)" };

    // Flat minima (issue 13): Entropy-SGD and Replicated-SGD
    public readonly Option<int?> InnerSteps = new("--inner-steps") { Description = "entropy-sgd: L, inner SGLD steps per outer step, one batch each (default 5)" };
    public readonly Option<double?> SgldLr = new("--sgld-lr") { Description = "entropy-sgd: eta', the inner step (default 0.1)" };
    public readonly Option<double?> SgldNoise = new("--sgld-noise") { Description = "entropy-sgd: eps, inner noise of std eps*sqrt(2 eta') per coordinate (default 1e-4; 0: deterministic given the batches)" };
    public readonly Option<bool> SgldNoiseFloat32 = new("--sgld-noise-float32") { Description = "entropy-sgd: store the noise rounded to float32 in a float64 run (half the bytes between the cores; other bits)" };
    public readonly Option<double?> SgldMomentum = new("--sgld-momentum") { Description = "entropy-sgd: inner momentum (default 0; --nesterov applies to it too)" };
    public readonly Option<double?> EmaAlpha = new("--ema-alpha") { Description = "entropy-sgd: alpha of the average mu <- alpha mu + (1 - alpha) w of the inner iterates, in [0, 1] (default 0.75)" };
    public readonly Option<double?> Gamma0 = new("--gamma0") { Description = "entropy-sgd, replicated-sgd: the coupling gamma0 at the start (default: automatic, balancing loss and coupling; 0 is no coupling)" };
    public readonly Option<double?> Gamma1 = new("--gamma1") { Description = "entropy-sgd: gamma = gamma0 (1 + gamma1)^t per outer step t; replicated-sgd: gamma's growth per epoch (x(1 + gamma1) exp, +gamma1 lin). Default: from --gamma-max" };
    public readonly Option<double?> GammaMax = new("--gamma-max") { Description = "entropy-sgd, replicated-sgd: gamma grows by this factor over the run's outer steps (entropy-sgd) or epochs (replicated-sgd exp, lin); cosine: gamma's last value (default 1e4)" };
    public readonly Option<bool> Gscale = new("--gscale") { Description = "entropy-sgd: outer step lr*gamma (the code's default); --gscale false: lr", DefaultValueFactory = _ => true };
    public readonly Option<bool> FairBudget = new("--fair-budget") { Description = "entropy-sgd: divide --epochs (or --steps) and the LR milestones by L, so the run reads as many batches as SGD's" };
    public readonly Option<int?> Replicas = new("--replicas") { Description = "replicated-sgd: y, the replicas, from seeds derived from --seed, each on its own batches (default 3)" };
    public readonly Option<string?> GammaSchedule = new("--gamma-schedule") { Description = "replicated-sgd: gamma per epoch, exp (default), lin or cosine" };

    public readonly Option<int> ProbeFlatnessEvery = new("--probe-flatness-every") { Description = "Local energy dE(w, sigma) of the training error (of replicated-sgd's centre) every k epochs and at the end, as metrics.csv columns delta_e_SIGMA (0: never)" };
    public readonly Option<string?> ProbeFlatnessSigmas = new("--probe-flatness-sigmas") { Description = "--probe-flatness-every: the sigmas, comma-separated (default 0.5)" };
    public readonly Option<int?> ProbeFlatnessDraws = new("--probe-flatness-draws") { Description = "--probe-flatness-every: draws per sigma (default 10)" };

    // Practical sizes (issue 14)
    public readonly Option<double?> LrHidden = new("--lr-hidden") { Description = "Learning rate of the hidden layers (all but a, b_out), any optimizer; the output layer keeps --lr (default: one rate). For hidden layers frozen use --train output" };
    public readonly Option<int?> TwoPhaseAt = new("--two-phase-at") { Description = "tau of the two-phase modification A(base) of the optimizer (Kawaguchi & Sun 2021), in epochs with --epochs, else in steps: phase 1 runs the base optimizer, at tau the expressivity condition rank Phi = n is checked and s_tau = sigma_min(Phi_tau) recorded, phase 2 keeps a hidden update only while sigma_min(Phi_t) >= c*s_tau (else restores it and halves the hidden rate). The phase-2 rule is a documented RECONSTRUCTION, not the paper's verbatim Algorithm 1" };
    public readonly Option<int?> TwoPhaseCheckEvery = new("--two-phase-check-every") { Description = "--two-phase-at: K, check sigma_min(Phi_t) after every K-th phase-2 update (default: once per epoch; every step for full-batch runs)" };
    public readonly Option<string?> TwoPhaseCheck = new("--two-phase-check") { Description = "--two-phase-at: exact (default: sigma_min(Phi_t) at every check, recorded) or certified (a Cholesky factor of Phi Phi^T - (c s_tau)^2 I proves sigma_min > c*s_tau, about 3x cheaper; sigma_min computed and recorded only when that fails)" };
    public readonly Option<double?> TwoPhaseKeep = new("--two-phase-keep") { Description = "--two-phase-at: c of the acceptance rule sigma_min(Phi_t) >= c*s_tau, in (0, 1] (default 0.5)" };
    public readonly Option<double?> TwoPhasePerturbation = new("--two-phase-perturbation") { Description = "--two-phase-at: perturb the hidden weights at tau by eps*rms*N(0,1) per entry (default: none)" };
    public readonly Option<bool> RequireCondition = new("--require-condition") { Description = "--two-phase-at: stop the run (status failed) when the condition fails at tau, instead of continuing as the base optimizer" };
    public readonly Option<int> ProbeExpressivityEvery = new("--probe-expressivity-every") { Description = "sigma_min, sigma_max and rank of the last hidden layer's features Phi on the training set every k epochs (steps for full-batch runs) and at the end, as metrics.csv columns (0: never)" };

    // Spiking networks and Grad R (issue 16)
    public readonly Option<int?> TimeSteps = new("--time-steps") { Description = "snn: T, time steps per sample (default 8); BPTT keeps 3*T*n*m values per layer of m neurons for a batch of n (T=8, n=128, m=800: 9.8 MB in float32)" };
    public readonly Option<double?> Tau = new("--tau") { Description = "snn: the LIF membrane constant tau > 0 (default 2); V_th = 1, V_reset = 0, hard reset" };
    public readonly Option<string?> Surrogate = new("--surrogate") { Description = "snn: surrogate gradient atan (default, the authors'), sigmoid or rectangular" };
    public readonly Option<double?> SurrogateAlpha = new("--surrogate-alpha") { Description = "snn: the surrogate's alpha (default 2 for atan, 4 for sigmoid, 1 for rectangular: the box's width)" };
    public readonly Option<string?> SpikeReadout = new("--spike-readout") { Description = "snn: outputs as the firing rate count/T (default; with --loss mse, the authors') or the spike count (default with --loss cross-entropy: cross-entropy on counts)" };
    public readonly Option<double?> TargetSparsity = new("--target-sparsity") { Description = "grad-r: p, the target sparsity in [0.5, 1) that centres the prior at ln(2(1-p))/alpha (default 0.95)" };
    public readonly Option<double?> PriorAlpha = new("--prior-alpha") { Description = "grad-r: alpha >= 0, the Laplace prior's scale (default 1e-3; applied when alpha > --epsilon)" };
    public readonly Option<bool> TrueGradient = new("--true-gradient") { Description = "grad-r: the ablation with the true gradient s*dL/dw*[theta > 0] (pruned synapses cannot regrow)" };

    public readonly Option<double?> Temperature = new("--temperature") { Description = "deep-r, soft-deep-r: the temperature T of the noise T*sqrt(step) (default 0)" };
    public readonly Option<double?> L1 = new("--l1") { Description = "deep-r, soft-deep-r: the L1 scale (default 1e-5)" };
    public readonly Option<double?> MaxSparsity = new("--max-sparsity") { Description = "deep-r, soft-deep-r: the maximal sparsity s_max in [0, 1]; deep-r reactivates dormant synapses above it (default 0.95)" };

    /// <summary>The held-out-set and classification options.</summary>
    public IEnumerable<Option> HeldOutAndClasses => [NTest, TestData, TestFraction, BayesError, Standardize, ClassesCount];

    /// <summary>
    /// The options of `kernel`: what the infinite-width kernels depend on, the architecture and the training inputs. Not
    /// the width, the weight seed, the output initialization, the labels or the test set, which do not change them.
    /// </summary>
    public IEnumerable<Option> Kernel => [Arch, Depth, Activation, CRes, AllowAnyCRes, KernelSize,
        Data, N, Dim, D0, P, Classes, ImageLayout, InputShape, Raw, DataSeed, TestFraction, BayesError, Standardize, ClassesCount];

    private IEnumerable<Option> NetworkOptions => [Arch, Depth, Width, FeatureWidth, Activation, CRes, AllowAnyCRes, KernelSize, OutputInit, Seed];
    private IEnumerable<Option> DataOptions => [Data, N, Dim, D0, P, Labels, Classes, ImageLayout, InputShape, Raw, DataSeed, .. HeldOutAndClasses];

    /// <summary>Every option of `train`, grouped as --help lists them: network, data, loss, optimizer, evaluation, output.</summary>
    public IEnumerable<Option> All => Groups.SelectMany(g => g.Options);

    private (string Group, Option[] Options)[] Groups =>
    [
        ("network", [.. NetworkOptions, Outputs, Parameterization, Bias, BatchNorm, DType, Init]),
        ("data", [.. DataOptions]),
        ("loss", [Loss, TargetLoss]),
        ("optimizer", [Optimizer, Lr, LrPolicy, LrConstant, Momentum, Dampening, Nesterov, WeightDecay, Beta1, Beta2, Epsilon, Alpha, Centered,
            LrSchedule, LrMilestones, LrGamma, BatchSize, Epochs, Steps, Shuffle, Train]),
        ("flat minima", [InnerSteps, SgldLr, SgldNoise, SgldNoiseFloat32, SgldMomentum, EmaAlpha, Gamma0, Gamma1, GammaMax, Gscale, FairBudget, Replicas, GammaSchedule]),
        ("spiking and pruning", [TimeSteps, Tau, Surrogate, SurrogateAlpha, SpikeReadout, TargetSparsity, PriorAlpha, TrueGradient, Temperature, L1, MaxSparsity]),
        ("evaluation", [EvalEvery, ProbeEvery, ProbeFlatnessEvery, ProbeFlatnessSigmas, ProbeFlatnessDraws, ProbeExpressivityEvery]),
        ("practical sizes", [LrHidden, TwoPhaseAt, TwoPhaseCheckEvery, TwoPhaseCheck, TwoPhaseKeep, TwoPhasePerturbation, RequireCondition]),
        ("output", [CheckpointEvery]),
    ];

    /// <param name="kernel">For `kernel`, which has no --seed: --data-seed's default is then RunSpec's seed.</param>
    public SpecOptions(bool kernel = false)
    {
        if (kernel) DataSeed.Description = $"Seed of synthetic data (default {D.Seed}; `train` without --data-seed draws its data with its --seed)";
        foreach (var (group, options) in Groups)
            foreach (var o in options) o.Description = $"[{group}] {o.Description}";
    }

    /// <summary>A comma-separated list of numbers.</summary>
    internal static double[] Numbers(string option, string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out values[i]))
                throw new RunSpecException($"{option} {text}: \"{parts[i]}\" is not a number");
        return values;
    }

    public RunSpec ToSpec(ParseResult r)
    {
        // An option the command does not have (kernel has no --width, --seed, …) keeps RunSpec's default.
        T V<T>(Option<T> o, T fallback) => r.GetResult(o) is null ? fallback : r.GetValue(o)!;
        var spec = new RunSpec
        {
            Architecture = V(Arch, D.Architecture), Depth = V(Depth, D.Depth), Width = V(Width, D.Width), FeatureWidth = r.GetValue(FeatureWidth), BatchNorm = r.GetValue(BatchNorm), Activation = V(Activation, D.Activation),
            CRes = V(CRes, D.CRes), AllowAnyCRes = r.GetValue(AllowAnyCRes), KernelSize = V(KernelSize, D.KernelSize),
            Data = V(Data, D.Data), N = V(N, D.N), D = V(Dim, D.D), D0 = V(D0, D.D0), P = V(P, D.P),
            Labels = V(Labels, D.Labels), ImageLayout = V(ImageLayout, D.ImageLayout), InputShape = r.GetValue(InputShape),
            RawInputs = r.GetValue(Raw), DataSeed = r.GetValue(DataSeed), Seed = V(Seed, D.Seed),
            OutputInit = V(OutputInit, D.OutputInit),
            Lr = r.GetValue(Lr) ?? D.Lr, LrPolicy = r.GetValue(LrPolicy) ?? (r.GetValue(Lr) is not null ? "fixed" : "stable"), LrConstant = V(LrConstant, D.LrConstant), Steps = V(Steps, D.Steps),
            TargetLoss = V(TargetLoss, D.TargetLoss), Train = r.GetValue(Train) ?? D.Train,
            DType = r.GetValue(DType) ?? D.DType, ProbeEvery = V(ProbeEvery, D.ProbeEvery), Init = r.GetValue(Init), Optimizer = r.GetValue(Optimizer),
        };
        // Data: held-out sets and classification (issue 12)
        Overparam.Data.ClassSelection classes;
        try { classes = Overparam.Data.ClassSelection.Parse(V(Classes, "0,1")); }
        catch (FormatException e) { throw new RunSpecException(e.Message); }
        spec = spec with
        {
            Classes = classes, NTest = r.GetValue(NTest), TestData = r.GetValue(TestData), TestFraction = r.GetValue(TestFraction),
            BayesError = r.GetValue(BayesError), Standardize = r.GetValue(Standardize), ClassesCount = r.GetValue(ClassesCount),
        };
        // Classification and stochastic training (issue 12)
        if (r.GetValue(Epochs) is not null && r.GetResult(Steps) is { Implicit: false })
            throw new RunSpecException("--epochs and --steps: give one of them");
        IReadOnlyList<int>? milestones = null;
        if (r.GetValue(LrMilestones) is { } text)
        {
            try { milestones = Overparam.Training.Schedules.LearningRateSchedules.ParseMilestones(text); }
            catch (ArgumentException e) { throw new RunSpecException(e.Message); }
        }
        return spec with
        {
            Outputs = r.GetValue(Outputs), Parameterization = r.GetValue(Parameterization), Bias = r.GetValue(Bias), Loss = r.GetValue(Loss),
            BatchSize = r.GetValue(BatchSize), Epochs = r.GetValue(Epochs), Shuffle = r.GetResult(Shuffle) is { Implicit: false } ? r.GetValue(Shuffle) : null,
            Momentum = r.GetValue(Momentum), Dampening = r.GetValue(Dampening), Nesterov = r.GetValue(Nesterov), WeightDecay = r.GetValue(WeightDecay),
            Beta1 = r.GetValue(Beta1), Beta2 = r.GetValue(Beta2), Epsilon = r.GetValue(Epsilon), Alpha = r.GetValue(Alpha), Centered = r.GetValue(Centered),
            LrSchedule = r.GetValue(LrSchedule), LrMilestones = milestones?.ToArray(), LrGamma = r.GetValue(LrGamma),
            EvalEvery = V(EvalEvery, D.EvalEvery), CheckpointEvery = V(CheckpointEvery, D.CheckpointEvery),
            // Flat minima (issue 13)
            InnerSteps = r.GetValue(InnerSteps), SgldLr = r.GetValue(SgldLr), SgldNoise = r.GetValue(SgldNoise), SgldNoiseFloat32 = r.GetValue(SgldNoiseFloat32), SgldMomentum = r.GetValue(SgldMomentum),
            EmaAlpha = r.GetValue(EmaAlpha), Gamma0 = r.GetValue(Gamma0), Gamma1 = r.GetValue(Gamma1), GammaMax = r.GetValue(GammaMax),
            Gscale = r.GetResult(Gscale) is { Implicit: false } ? r.GetValue(Gscale) : null, FairBudget = r.GetValue(FairBudget),
            Replicas = r.GetValue(Replicas), GammaSchedule = r.GetValue(GammaSchedule),
            ProbeFlatnessEvery = r.GetValue(ProbeFlatnessEvery), ProbeFlatnessSigmas = r.GetValue(ProbeFlatnessSigmas) is { } sigmas ? Numbers("--probe-flatness-sigmas", sigmas) : null,
            ProbeFlatnessDraws = r.GetValue(ProbeFlatnessDraws),
            // Practical sizes (issue 14)
            ProbeExpressivityEvery = r.GetValue(ProbeExpressivityEvery), LrHidden = r.GetValue(LrHidden), TwoPhaseAt = r.GetValue(TwoPhaseAt),
            TwoPhaseCheckEvery = r.GetValue(TwoPhaseCheckEvery), TwoPhaseCheck = r.GetValue(TwoPhaseCheck), TwoPhaseKeep = r.GetValue(TwoPhaseKeep),
            TwoPhasePerturbation = r.GetValue(TwoPhasePerturbation), RequireCondition = r.GetValue(RequireCondition),
            // Spiking networks and Grad R (issue 16)
            TimeSteps = r.GetValue(TimeSteps), Tau = r.GetValue(Tau), Surrogate = r.GetValue(Surrogate), SurrogateAlpha = r.GetValue(SurrogateAlpha),
            SpikeReadout = r.GetValue(SpikeReadout), TargetSparsity = r.GetValue(TargetSparsity), PriorAlpha = r.GetValue(PriorAlpha),
            TrueGradient = r.GetValue(TrueGradient), Temperature = r.GetValue(Temperature), L1 = r.GetValue(L1), MaxSparsity = r.GetValue(MaxSparsity),
        };
    }
}
