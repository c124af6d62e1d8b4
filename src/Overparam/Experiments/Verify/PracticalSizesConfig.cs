using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Overparam.Experiments.Verify;

/// <summary>
/// The settings of `verify --preset practical-sizes` (Kawaguchi &amp; Huang 2019; docs/mathematics.md §13.5): every
/// size, budget and threshold the study and its verdicts use. A study file (`--config`, snake_case <see cref="Keys"/>,
/// docs/formats.md) overrides any of them; <see cref="Scaled"/> is the preset at --scale s.
/// </summary>
public sealed record PracticalSizesConfig
{
    /// <summary>The training-set sizes n (the first n samples of each data set's pool).</summary>
    public int[] Ns { get; init; } = [64, 128, 256];
    /// <summary>m_H = round(f·n) for each f: n/8 … 2n.</summary>
    public double[] WidthFractions { get; init; } = [0.125, 0.25, 0.5, 1, 2];
    /// <summary>Input dimension d.</summary>
    public int D { get; init; } = 16;
    /// <summary>Hidden layers H (the last of width m_H); at least 2, so that the last has its own width.</summary>
    public int Depth { get; init; } = 3;
    /// <summary>The width of the hidden layers before the last (d → 32 → 32 → m_H, --width; the last is --feature-width m_H).</summary>
    public int HiddenWidth { get; init; } = 32;
    /// <summary>C, the classes of every data set (one-hot targets, C outputs).</summary>
    public int Classes { get; init; } = 10;
    public int NTest { get; init; } = 2000;
    /// <summary>Gradient-descent steps with the hidden layers frozen (on the output layer's convex problem).</summary>
    public int FrozenSteps { get; init; } = 20000;
    /// <summary>Gradient-descent steps with all layers trained.</summary>
    public int TrainedSteps { get; init; } = 20000;
    /// <summary>η_W = lr_factor · nC/(2σ_max(Φ)²) = lr_factor / (the output layer's smoothness constant), Φ at init.</summary>
    public double LrFactor { get; init; } = 1;
    /// <summary>η_h = hidden_lr_factor · η_W when all layers train (--lr-hidden).</summary>
    public double HiddenLrFactor { get; init; } = 0.1;
    /// <summary>The stated loss: GD "fits" a data set when its mean squared error reaches it (the zero predictor's is 1/C).</summary>
    public double FitLoss { get; init; } = 1e-3;
    /// <summary>The direct minimum counts as 0 when its residual ‖ΦA − Y‖² ≤ zero_tolerance·‖Y‖².</summary>
    public double ZeroTolerance { get; init; } = 1e-10;
    /// <summary>Test error counts as at chance within this margin of the best label-blind predictor's (the majority class).</summary>
    public double ChanceMargin { get; init; } = 0.05;
    /// <summary>"Linear in n" holds when the fitted log–log slope of the smallest fitting m_H against n is within 1 ± this.</summary>
    public double SlopeTolerance { get; init; } = 0.25;
    /// <summary>The frozen-layer loss curve keeps every k-th step.</summary>
    public int RecordEvery { get; init; } = 100;
    /// <summary>The networks' weight seed (one network per n and m_H, shared by the data sets and the two regimes).</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>Seed of the inputs, the teacher and the random labels.</summary>
    public ulong DataSeed { get; init; } = 2026;
    /// <summary>The --scale it was made with (1: the preset).</summary>
    public double Scale { get; init; } = 1;

    /// <summary>The keys of a study file, snake_case, in declaration order (scale excluded: it is --scale).</summary>
    public static IReadOnlyList<string> Keys { get; } = typeof(PracticalSizesConfig).GetProperties()
        .Where(p => p.CanWrite && p.Name != nameof(Scale)).Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name)).ToArray();

    /// <summary>--scale s in (0, 8]: n = 64, 128, 256, … up to 256·s (at least 64); the budgets stay.</summary>
    public static PracticalSizesConfig Scaled(double s)
    {
        if (!(s > 0 && s <= 8)) throw new RunSpecException($"--scale {s}: the practical-sizes preset takes a scale in (0, 8] (n = 64, 128, … up to 256·s)");
        var ns = new List<int> { 64 };
        while (ns[^1] * 2 <= 256 * s + 1e-9) ns.Add(ns[^1] * 2);
        return new PracticalSizesConfig { Ns = [.. ns], Scale = s };
    }

    /// <summary>m_H for n and a fraction f: round(f·n), at least 1.</summary>
    public static int FeatureWidth(int n, double fraction) => Math.Max(1, (int)Math.Round(fraction * n));

    /// <summary>
    /// The run of one cell with all layers trained, and (with <see cref="RunSpec.Train"/> "output") the network whose
    /// features the frozen regime uses: the same seed, so the same initialization. The width choice is made here only.
    /// </summary>
    public RunSpec Spec(string trainCsv, string testCsv, int n, int featureWidth, double eta) => new()
    {
        // d → hidden_width → … → hidden_width → m_H (H = depth hidden layers, the last of width m_H).
        Architecture = "fc", Depth = Depth, Width = HiddenWidth, FeatureWidth = featureWidth,
        Activation = "softplus", Parameterization = "standard", Bias = false, Loss = "mse", Optimizer = "gd",
        Data = $"csv:{trainCsv}", TestData = $"csv:{testCsv}", N = n, ClassesCount = Classes, RawInputs = true,
        Seed = Seed, LrPolicy = "fixed", Lr = eta, LrHidden = HiddenLrFactor * eta, Steps = TrainedSteps, TargetLoss = 0,
        EvalEvery = TrainedSteps,
    };

    /// <summary>A study file: JSON with any of <see cref="Keys"/>; every problem is listed at once.</summary>
    public static PracticalSizesConfig Load(string path)
    {
        if (!File.Exists(path)) throw new RunSpecException($"--config {path}: file not found");
        PracticalSizesConfig config;
        try
        {
            if (JsonNode.Parse(File.ReadAllText(path)) is not JsonObject root) throw new RunSpecException($"{path}: expected a JSON object with the keys {string.Join(", ", Keys)}");
            var unknown = root.Select(kv => kv.Key).Where(k => !Keys.Contains(k)).ToList();
            if (unknown.Count > 0)
                throw new RunSpecException($"{path}: " + string.Join("; ", unknown.Select(k => $"unknown key \"{k}\"" + (Sweeps.RunSpecFields.Closest(k, Keys) is { } hint ? $" (did you mean \"{hint}\"?)" : "")))
                    + $"; the keys of the practical-sizes study are {string.Join(", ", Keys)} (docs/formats.md)");
            config = root.Deserialize<PracticalSizesConfig>(new JsonSerializerOptions(RunSpec.Json) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow })!;
        }
        catch (JsonException e) { throw new RunSpecException($"{path}: {e.Message}"); }
        var problems = config.Problems().ToList();
        if (problems.Count > 0) throw new RunSpecException($"{path}: {problems.Count} problem(s):\n  " + string.Join("\n  ", problems));
        return config;
    }

    public IEnumerable<string> Problems()
    {
        if (Ns.Length == 0 || Ns.Any(n => n < 2)) yield return "ns: need at least one n, each ≥ 2";
        if (WidthFractions.Length == 0 || WidthFractions.Any(f => !(f > 0))) yield return "width_fractions: need at least one, each > 0";
        if (D < 1) yield return "d: must be ≥ 1";
        if (Depth < 2) yield return "depth: must be ≥ 2 (the hidden layers before the last have hidden_width, the last m_H)";
        if (HiddenWidth < 1) yield return "hidden_width: must be ≥ 1";
        if (Classes < 2) yield return "classes: must be ≥ 2";
        if (NTest < 1) yield return "n_test: must be ≥ 1";
        if (FrozenSteps < 1) yield return "frozen_steps: must be ≥ 1";
        if (TrainedSteps < 1) yield return "trained_steps: must be ≥ 1";
        if (!(LrFactor > 0)) yield return "lr_factor: must be > 0";
        if (!(HiddenLrFactor > 0)) yield return "hidden_lr_factor: must be > 0";
        if (!(FitLoss > 0)) yield return "fit_loss: must be > 0";
        if (!(ZeroTolerance > 0)) yield return "zero_tolerance: must be > 0";
        if (!(ChanceMargin > 0 && ChanceMargin < 1)) yield return "chance_margin: must be in (0, 1)";
        if (!(SlopeTolerance > 0)) yield return "slope_tolerance: must be > 0";
        if (RecordEvery < 1) yield return "record_every: must be ≥ 1";
    }
}
