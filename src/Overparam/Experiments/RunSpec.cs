using System.Text.Json;
using System.Text.Json.Serialization;

namespace Overparam.Experiments;

/// <summary>
/// Everything that determines one training run, as the user gives it (the CLI's `train` options, one cell of a sweep,
/// one run of `verify`). <see cref="RunExecutor"/> resolves it (data, c_σ, λ₀, η) and records the resolved values in
/// config.json. Defaults are the CLI's defaults.
/// </summary>
public sealed record RunSpec
{
    // Network (docs/mathematics.md §2).
    /// <summary>fc | resnet | convresnet | snn.</summary>
    public string Architecture { get; init; } = "fc";
    public int Depth { get; init; } = 3;
    public int Width { get; init; } = 256;
    public string Activation { get; init; } = "softplus";
    /// <summary>c_res of the residual scaling c_res/(H sqrt(m)), in (0, 1) for the theorems (docs/mathematics.md §2.2).</summary>
    public double CRes { get; init; } = 0.5;
    /// <summary>Accept c_res outside (0, 1) (outside the theorems; a warning is printed).</summary>
    public bool AllowAnyCRes { get; init; }
    /// <summary>Kernel size q of the conv net (odd).</summary>
    public int KernelSize { get; init; } = 3;
    /// <summary>gaussian (the deep paper) | sign (a_r uniform on ±1, the ICLR companion).</summary>
    public string OutputInit { get; init; } = "gaussian";
    /// <summary>Override of c_σ in the first layer's sqrt(c_σ/m); 1 gives the ICLR model f = m^(−1/2) Σ a_r σ(w_rᵀx). Null: the paper's c_σ.</summary>
    public double? CSigma { get; init; }
    /// <summary>M_H, the width of the last hidden layer, the one that feeds the output layer (fc, resnet; docs/mathematics.md §2.5). Null: --width.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? FeatureWidth { get; init; }
    /// <summary>Batch-normalize every layer's pre-activations, PyTorch's BatchNorm1d (fc, resnet; standard parameterization only; docs/mathematics.md §2.6).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool BatchNorm { get; init; }

    // Data.
    /// <summary>synthetic | csv:PATH | idx:DIR | fashion-mnist.</summary>
    public string Data { get; init; } = "synthetic";
    public int N { get; init; } = 64;
    public int D { get; init; } = 16;
    /// <summary>Conv synthetic data: channels d₀ and positions p.</summary>
    public int D0 { get; init; } = 4;
    public int P { get; init; } = 8;
    /// <summary>Synthetic labels: gaussian (N(0, 1)) | teacher (a fixed random network of the same architecture, width 64).</summary>
    public string Labels { get; init; } = "gaussian";
    /// <summary>IDX: the two classes mapped to −1 and +1 (JSON [a, b]), or "all" (class ids 0 … C−1).</summary>
    public Overparam.Data.ClassSelection Classes { get; init; } = Overparam.Data.ClassSelection.Binary(0, 1);
    /// <summary>IDX image layout for the conv net: positions (1 channel × rows·cols) | rows (rows channels × cols positions).</summary>
    public string ImageLayout { get; init; } = "positions";
    /// <summary>CSV for the conv net: "d0xp".</summary>
    public string? InputShape { get; init; }
    /// <summary>Keep inputs as given instead of scaling each to unit norm.</summary>
    public bool RawInputs { get; init; }
    /// <summary>Seed of the data (synthetic inputs and labels); null: the weight seed.</summary>
    public ulong? DataSeed { get; init; }

    // Data: held-out sets and classification (issue 12)
    // Left out of the JSON when unset, so that specs, cell keys and config.json of runs without them are as they were.
    /// <summary>Test samples: the first n_test of the IDX test files (t10k-*; with two classes ⌊n_test/2⌋ of the first,
    /// the rest of the second), or the size of the fresh test sample of mixture and teacher-classes data. Null: all of the
    /// IDX test files with classes "all", no test set with two classes, 1000 for mixture and teacher-classes.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? NTest { get; init; }
    /// <summary>A test set from a file, in --data form: csv:PATH, or idx:DIR / fashion-mnist (the directory's t10k files);
    /// it must have the training data's number of features.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TestData { get; init; }
    /// <summary>A seeded random split of CSV or IDX training data (<see cref="Overparam.Data.RandomSplit"/>, seed = the data
    /// seed): the fraction in (0, 1) that becomes the test set.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? TestFraction { get; init; }
    /// <summary>Bayes error ε in (0, 0.5] of mixture data (‖μ‖ = −Φ⁻¹(ε)); null: 0.1.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? BayesError { get; init; }
    /// <summary>Standardize each feature with the training set's mean and standard deviation (instead of scaling each input to unit norm).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Standardize { get; init; }
    /// <summary>Number of classes C ≥ 2 (labels are class ids 0 … C−1). Null: the network's outputs when above 1; otherwise
    /// real or ±1 labels, and for IDX data with classes "all" 1 + the largest training label.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ClassesCount { get; init; }

    // Training.
    public ulong Seed { get; init; } = 1;
    /// <summary>fixed (use Lr) | theory (η = c·λ₀/n² fc, c·λ₀H²/n² resnet/conv) | stable (η = c/λ_max(G(0))).</summary>
    public string LrPolicy { get; init; } = "fixed";
    public double Lr { get; init; } = 0.05;
    /// <summary>The constant c of the theory and stable policies.</summary>
    public double LrConstant { get; init; } = 1.0;
    public int Steps { get; init; } = 500;
    public double TargetLoss { get; init; } = 1e-10;
    /// <summary>all | hidden | output | a comma list of W1…WH, a.</summary>
    public string Train { get; init; } = "all";
    /// <summary>float64 | float32.</summary>
    public string DType { get; init; } = "float64";
    /// <summary>Probe the Gram matrices, weights and kernel predictions every k steps (0: never; steps 0 and last always when &gt; 0).</summary>
    public int ProbeEvery { get; init; }
    /// <summary>Start from these weights (safetensors W1…WH, a) instead of the RNG.</summary>
    public string? Init { get; init; }
    /// <summary>A registered optimizer (<see cref="Training.Optimizers.OptimizerKind"/>); null: gd, the paper's, and then the field is
    /// left out of the JSON so that specs, cell keys and config.json of gradient-descent runs are as they always were.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Optimizer { get; init; }

    // Classification and stochastic training (issue 12). Every field is left out of the JSON at its default, so that
    // the specs, sweep cell keys and config.json of the paper's runs stay what they were.
    /// <summary>C, outputs per sample; null: the data's number of classes (≥ 2), else 1.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Outputs { get; init; }
    /// <summary>ntk (the paper's, null) | standard (<see cref="Architectures.Parameterization"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Parameterization { get; init; }
    /// <summary>Zero-initialized biases b1 … bH and b_out.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Bias { get; init; }
    /// <summary>half-sum-squares | mse | cross-entropy; null: half-sum-squares for one output, cross-entropy for C ≥ 2.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Loss { get; init; }
    /// <summary>Samples per step; null: all n (full-batch gradient descent).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? BatchSize { get; init; }
    /// <summary>Train for this many epochs (⌈n/B⌉ steps each) instead of <see cref="Steps"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Epochs { get; init; }
    /// <summary>Shuffle minibatches each epoch (seeded by <see cref="Seed"/>); false: data order. Null: true.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Shuffle { get; init; }
    /// <summary>Evaluate train and test loss and error every k epochs (every k steps for full-batch runs); 0: never.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int EvalEvery { get; init; }
    /// <summary>Write a checkpoint (parameters, optimizer state, position) every k steps; 0: never.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int CheckpointEvery { get; init; }
    /// <summary>SGD / RMSprop momentum μ (null: 0).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Momentum { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Dampening { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Nesterov { get; init; }
    /// <summary>L2 weight decay added to the gradient, PyTorch's weight_decay (null: 0).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? WeightDecay { get; init; }
    /// <summary>Adam's β1, β2 and ε (also RMSprop's ε); null: PyTorch's defaults.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Beta1 { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Beta2 { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Epsilon { get; init; }
    /// <summary>RMSprop's smoothing α (null: 0.99).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Alpha { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Centered { get; init; }
    /// <summary>constant (null) | step | cosine, per epoch.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LrSchedule { get; init; }
    /// <summary>Epochs at which the step schedule multiplies η by <see cref="LrGamma"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int[]? LrMilestones { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? LrGamma { get; init; }

    // Flat minima (issue 13): Entropy-SGD and Replicated-SGD (docs/mathematics.md §11.3). Left out of the JSON at their defaults.
    /// <summary>Entropy-SGD's inner SGLD steps L (null: 5).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? InnerSteps { get; init; }
    /// <summary>Entropy-SGD's inner step η′ (null: 0.1).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? SgldLr { get; init; }
    /// <summary>Entropy-SGD's noise ε (null: 1e-4; 0: none).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? SgldNoise { get; init; }
    /// <summary>Entropy-SGD's noise ξ stored rounded to float32 in a float64 run (faster hand-over; other bits).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool SgldNoiseFloat32 { get; init; }
    /// <summary>Entropy-SGD's inner momentum (null: 0).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? SgldMomentum { get; init; }
    /// <summary>Entropy-SGD's averaging weight α (null: 0.75).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? EmaAlpha { get; init; }
    /// <summary>γ0 of either algorithm (null: the automatic, balanced γ0).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Gamma0 { get; init; }
    /// <summary>γ1, γ's growth (null: from <see cref="GammaMax"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Gamma1 { get; init; }
    /// <summary>γmax, γ's growth over the run (null: 1e4).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? GammaMax { get; init; }
    /// <summary>Entropy-SGD's outer step η·γ (null: true).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Gscale { get; init; }
    /// <summary>Entropy-SGD's fair budget: the epochs (or steps) and LR milestones divided by L, so that it takes as many
    /// gradient evaluations as SGD with the same options.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool FairBudget { get; init; }
    /// <summary>Replicated-SGD's replicas y (null: 3).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Replicas { get; init; }
    /// <summary>Replicated-SGD's γ schedule: exp (null) | lin | cosine.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? GammaSchedule { get; init; }
    /// <summary>Add the local energy δE(w, σ) of the training error to metrics.csv every k epochs (0: never).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int ProbeFlatnessEvery { get; init; }
    /// <summary>The σ of the flatness probe (null: 0.5).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double[]? ProbeFlatnessSigmas { get; init; }
    /// <summary>The draws per σ of the flatness probe (null: 10).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ProbeFlatnessDraws { get; init; }

    // Practical sizes (issue 14): the expressivity condition and the two-phase rule (docs/mathematics.md §13–14).
    // Left out of the JSON at their defaults.
    /// <summary>Add σ_min(Φ), σ_max(Φ) and rank Φ of the last hidden layer on the training set to metrics.csv every k epochs (0: never).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int ProbeExpressivityEvery { get; init; }
    /// <summary>η of the hidden layers (all but a, b_out), any optimizer; the output layer keeps --lr's η. Null: one rate.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? LrHidden { get; init; }
    /// <summary>τ of the two-phase modification A(base): in epochs when --epochs is given, else in steps. Null: the base optimizer alone.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? TwoPhaseAt { get; init; }
    /// <summary>K: check σ_min(Φ_t) after every K-th phase-2 update (null: once per epoch, every step for full-batch runs).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? TwoPhaseCheckEvery { get; init; }
    /// <summary>How a phase-2 check decides σ_min(Φ_t) ≥ c·s_τ: "exact" computes σ_min every time (null: exact), "certified" first tries a Cholesky certificate and records σ_min only when it fails.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TwoPhaseCheck { get; init; }
    /// <summary>c of the acceptance rule σ_min(Φ_t) ≥ c·s_τ, in (0, 1] (null: 0.5).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? TwoPhaseKeep { get; init; }
    /// <summary>ε of the perturbation of the hidden weights at τ, relative to each tensor's rms (null: none).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? TwoPhasePerturbation { get; init; }
    /// <summary>Stop the run when the expressivity condition fails at τ (and refuse a τ beyond the run).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool RequireCondition { get; init; }
    // Spiking networks and Grad R (issue 16, docs/mathematics.md §15–16). Left out of the JSON at their defaults.
    /// <summary>--arch snn: T, the time steps (null: 8).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? TimeSteps { get; init; }
    /// <summary>--arch snn: τ, the LIF membrane constant (null: 2).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Tau { get; init; }
    /// <summary>--arch snn: the surrogate gradient, atan (null) | sigmoid | rectangular.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Surrogate { get; init; }
    /// <summary>--arch snn: the surrogate's α (null: 2 for atan, 4 for sigmoid, 1 for rectangular).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? SurrogateAlpha { get; init; }
    /// <summary>--arch snn: rate (count/T) | count; null: count with the cross-entropy loss, else rate.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SpikeReadout { get; init; }
    /// <summary>grad-r: p, the target sparsity in [0.5, 1) (null: 0.95).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? TargetSparsity { get; init; }
    /// <summary>grad-r: α ≥ 0, the Laplace prior's scale (null: 1e-3, the authors' -penalty).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? PriorAlpha { get; init; }
    /// <summary>grad-r: the true gradient s·∂L/∂w·[θ &gt; 0] instead of the redefined one (an ablation: pruned synapses cannot regrow).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool TrueGradient { get; init; }
    /// <summary>deep-r, soft-deep-r: the temperature T of the noise T·√step (null: 0).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Temperature { get; init; }
    /// <summary>deep-r, soft-deep-r: the L1 scale λ (null: 1e-5).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? L1 { get; init; }
    /// <summary>deep-r, soft-deep-r: the maximal sparsity s_max in [0, 1] (null: 0.95).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? MaxSparsity { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
