namespace Overparam.Experiments;

/// <summary>
/// The column names of a run's metrics.csv (and of the final probe values a sweep records): the training columns
/// every run writes, then the probes of <see cref="Probes{T}"/> (docs/mathematics.md §10). k is the step, T the last step.
/// </summary>
public static class MetricColumns
{
    /// <summary>The GD step k.</summary>
    public const string Step = "step";

    /// <summary>The loss at θ(k): L(k) = ½ Σ_i (u_i(k) − y_i)² for the paper's runs; for minibatch runs, the loss of step k's batch.</summary>
    public const string Loss = "loss";

    /// <summary>Wall-clock seconds since training started.</summary>
    public const string Seconds = "seconds";

    /// <summary>The theorems' bound (1 − ηλ₀/2)^k L(0) (Theorems 5.1, 6.1, 7.1).</summary>
    public const string Bound = "bound";

    /// <summary>λ_min(G^(H)(k)), the least eigenvalue of the last hidden layer's Gram matrix.</summary>
    public const string LambdaMinGh = "lambda_min_gh";

    /// <summary>λ_min(G^(H)(k)) / λ₀; the proofs need it ≥ 1/2 throughout training.</summary>
    public const string LambdaMinGhRatio = "lambda_min_gh_ratio";

    /// <summary>λ_min(G(k)), the least eigenvalue of the NTK of the trained parameters.</summary>
    public const string LambdaMinG = "lambda_min_g";

    /// <summary>λ_min(G(k)) / λ₀.</summary>
    public const string LambdaMinGRatio = "lambda_min_g_ratio";

    /// <summary>‖G^(H)(k) − G^(H)(0)‖₂, the drift of the last-layer Gram matrix.</summary>
    public const string GhDrift = "gh_drift";

    /// <summary>‖G^(H)(k) − G^(H)(0)‖₂ / ‖G^(H)(0)‖₂.</summary>
    public const string GhDriftRel = "gh_drift_rel";

    /// <summary>‖G(k) − G(0)‖₂, the drift of the NTK of the trained parameters.</summary>
    public const string GDrift = "g_drift";

    /// <summary>‖G(k) − G(0)‖₂ / ‖G(0)‖₂.</summary>
    public const string GDriftRel = "g_drift_rel";

    /// <summary>‖a(k) − a(0)‖₂, how far the output layer moved.</summary>
    public const string Da = "da";

    /// <summary>½‖(I − ηG(0))^k (u(0) − y)‖², the loss of the finite-width linearized dynamics.</summary>
    public const string LossLinear = "loss_linear";

    /// <summary>The same as <see cref="LossLinear"/> with the infinite-width Θ of the trained layers.</summary>
    public const string LossTheta = "loss_theta";

    /// <summary>Two-layer networks: the fraction of (i, r) with sign(w_r(k)ᵀx_i) ≠ sign(w_r(0)ᵀx_i) (ICLR Fig. 1b).</summary>
    public const string PatternChange = "pattern_change";

    /// <summary>Two-layer networks: max_r ‖w_r(k) − w_r(0)‖₂ (ICLR Fig. 1c).</summary>
    public const string MaxDwR = "max_dw_r";

    /// <summary>"dW{h}_fro": ‖W^(h)(k) − W^(h)(0)‖_F, how far layer h moved.</summary>
    public static string WeightFro(int h) => $"dW{h}_fro";

    /// <summary>"dW{h}_avg": ‖W^(h)(k) − W^(h)(0)‖_F / √m, the averaged Frobenius norm of eq. (6).</summary>
    public static string WeightAvg(int h) => $"dW{h}_avg";

    /// <summary>Minibatch runs: the epoch of step k (0-based).</summary>
    public const string Epoch = "epoch";

    /// <summary>Minibatch runs: η of update k (after the learning-rate schedule).</summary>
    public const string LearningRate = "lr";

    /// <summary>Entropy-SGD and Replicated-SGD: the coupling γ of update k (<see cref="Training.Optimizers.ICoupled"/>).</summary>
    public const string Gamma = "gamma";

    /// <summary>With --eval-every: the training loss on the whole training set at θ(k).</summary>
    public const string TrainLoss = "train_loss";

    /// <summary>With --eval-every: the misclassification rate on the training set.</summary>
    public const string TrainError = "train_error";

    /// <summary>With --eval-every and a test set: the loss on the test set.</summary>
    public const string TestLoss = "test_loss";

    /// <summary>With --eval-every and a test set: the misclassification rate on the test set.</summary>
    public const string TestError = "test_error";

    /// <summary>With --probe-flatness-every: "delta_e_σ", the local energy δE(w, σ) of the training error (e.g. delta_e_0.5).</summary>
    public static string LocalEnergy(double sigma) => "delta_e_" + sigma.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The lowest test error over the evaluations (summary.json, a sweep's final values).</summary>
    public const string BestTestError = "best_test_error";

    // Practical sizes (issue 14): the expressivity condition and the two-phase rule.
    /// <summary>With --probe-expressivity-every: σ_min(Φ), the least singular value of the last hidden layer's n × m features on the training set.</summary>
    public const string SigmaMinPhi = "sigma_min_phi";

    /// <summary>With --probe-expressivity-every: σ_max(Φ).</summary>
    public const string SigmaMaxPhi = "sigma_max_phi";

    /// <summary>With --probe-expressivity-every: the numerical rank of Φ (tolerance σ_max·max(n, m)·ε).</summary>
    public const string RankPhi = "rank_phi";

    /// <summary>With --two-phase-at: 1 before τ (and after it when the condition failed), 2 in phase 2.</summary>
    public const string Phase = "phase";

    /// <summary>With --two-phase-at: s_τ = σ_min(Φ_τ) (empty before τ).</summary>
    public const string STau = "s_tau";

    /// <summary>With --two-phase-at: σ_min(Φ_t)/s_τ of the hidden weights in force after the last check (≥ the acceptance threshold).</summary>
    public const string SigmaRatio = "sigma_ratio";

    /// <summary>With --two-phase-at: σ_min/s_τ of the update the last check tried (below the threshold when it was rejected).</summary>
    public const string SigmaRatioTried = "sigma_ratio_tried";

    /// <summary>With --two-phase-at: η_hidden/η, halved at each rejection.</summary>
    public const string HiddenLrFactor = "hidden_lr_factor";

    /// <summary>With --two-phase-at: rejected hidden updates so far.</summary>
    public const string Rejections = "rejections";

    // Spiking networks and pruning (issue 16, docs/mathematics.md §16.4).
    /// <summary>Pruning runs and snn: the fraction of prunable weights (all but biases) with |w| ≥ 1e-10 (the authors' count).</summary>
    public const string Connectivity = "connectivity";

    /// <summary>Pruning runs and snn: the weights with |w| ≥ 1e-10 over all parameters (biases counted as connected when nonzero too).</summary>
    public const string ConnectivityAll = "connectivity_all";

    /// <summary>"connectivity_NAME": the fraction of parameter NAME's weights with |w| ≥ 1e-10.</summary>
    public static string LayerConnectivity(string name) => "connectivity_" + name;

    /// <summary>"pruned_NAME": synapses of NAME cut (θ from &gt; 0 to ≤ 0) by the updates so far (cumulative; an epoch's count is the difference).</summary>
    public static string Pruned(string name) => "pruned_" + name;

    /// <summary>"regrown_NAME": synapses of NAME regrown (θ from ≤ 0 to &gt; 0) by the updates so far (cumulative).</summary>
    public static string Regrown(string name) => "regrown_" + name;

    /// <summary>snn: "spike_rate_L", the mean firing rate of LIF layer L (1-based; the last is the output layer) on the step's batch.</summary>
    public static string SpikeRate(int layer) => $"spike_rate_{layer}";
}
