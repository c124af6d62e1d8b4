using Overparam.Architectures;
using System.Text.Json;

namespace Overparam.Experiments.Verify;

/// <summary>
/// A convergence study for `overparam verify`: every architecture × depth × width × seed trained on one synthetic
/// unit-sphere data set (data seed <see cref="DataSeed"/>; weight seeds 1 … <see cref="Seeds"/>), with probes.
/// <see cref="Kind"/> "iclr2019-fig1" instead runs the two-layer experiment of the ICLR companion (docs/mathematics.md §8).
/// </summary>
public sealed record Study
{
    public string Name { get; init; } = "custom";
    /// <summary>deep (the deep paper's networks) | iclr2019-fig1.</summary>
    public string Kind { get; init; } = "deep";
    public string[] Architectures { get; init; } = ["fc", "resnet"];
    public int[] Depths { get; init; } = [2];
    public int[] Widths { get; init; } = [128, 256, 512];
    public int Seeds { get; init; } = 2;
    public int N { get; init; } = 32;
    public int D { get; init; } = 16;
    public string Activation { get; init; } = "softplus";
    public double CRes { get; init; } = 0.5;
    public int Steps { get; init; } = 200;
    public int ProbeEvery { get; init; } = 20;
    public string LrPolicy { get; init; } = "stable";
    public double Lr { get; init; } = 0.05;
    public double LrConstant { get; init; } = 1.0;
    public double TargetLoss { get; init; } = 1e-8;
    public ulong DataSeed { get; init; } = 2026;
    /// <summary>Keep every run's init.safetensors and final.safetensors (the report needs only metrics.csv); see <see cref="WeightBytes"/>.</summary>
    public bool KeepWeights { get; init; }

    public static readonly string[] PresetNames = ["default", "quick", "depth", "iclr2019-fig1"];

    /// <summary>The keys of a study file (snake_case, as <see cref="Load"/> reads them), in declaration order.</summary>
    public static IReadOnlyList<string> Keys { get; } = typeof(Study).GetProperties()
        .Where(p => p.CanWrite)
        .Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name)).ToArray();

    /// <summary>A built-in study; <paramref name="scale"/> scales n, d and the widths of iclr2019-fig1 (1 = the paper's size).</summary>
    public static Study? Preset(string name, double scale = 0.1) => name switch
    {
        // tanh: in the paper's class and mean-zero, so the NTK has no dominant constant mode and GD reaches ~1e-8 within
        // the budget; with softplus (E[σ] ≠ 0) λ_max/λ_min of G(0) is ~10³ here and the loss stalls near 1 (see notes).
        // Three depths ≥ 2, so that the report can judge the paper's headline, the fc-vs-ResNet depth contrast.
        "default" => new Study { Name = "default", Activation = "tanh", Depths = [2, 4, 8], Widths = [128, 256, 512, 1024], Seeds = 3, N = 32, D = 16, Steps = 1000, ProbeEvery = 10 },
        "quick" => new Study { Name = "quick", Activation = "tanh", Depths = [2], Widths = [64, 128, 256], Seeds = 2, N = 16, D = 8, Steps = 200, ProbeEvery = 10 },
        "depth" => new Study { Name = "depth", Depths = [1, 2, 4, 8, 16], Widths = [512], Seeds = 2, N = 32, D = 16, Steps = 150, ProbeEvery = 25 },
        "iclr2019-fig1" => new Study
        {
            Name = "iclr2019-fig1", Kind = "iclr2019-fig1", Architectures = ["fc"], Depths = [1], Activation = "relu",
            Widths = new[] { 500, 1000, 2000, 4000, 8000 }.Select(m => Math.Max(2, (int)Math.Round(m * scale))).ToArray(),
            Seeds = 1, N = Math.Max(4, (int)Math.Round(1000 * scale)), D = Math.Max(2, (int)Math.Round(1000 * scale)),
            Steps = 100, ProbeEvery = 1, LrPolicy = "fixed", Lr = 0.05, TargetLoss = 0,
        },
        _ => null,
    };

    /// <summary>The training run of one cell.</summary>
    public RunSpec Cell(string architecture, int depth, int width, int seed)
    {
        var spec = new RunSpec
        {
            Architecture = architecture, Depth = depth, Width = width, Activation = Activation, CRes = CRes,
            Data = "synthetic", N = N, D = D, DataSeed = DataSeed, Seed = (ulong)seed, LrPolicy = LrPolicy, Lr = Lr,
            LrConstant = LrConstant, Steps = Steps, TargetLoss = TargetLoss, ProbeEvery = ProbeEvery,
        };
        // The ICLR model: f = m^(−1/2) Σ a_r ReLU(w_rᵀx), a fixed at ±1, only W trained (docs/mathematics.md §8).
        return Kind == "iclr2019-fig1" ? spec with { CSigma = 1.0, OutputInit = "sign", Train = "hidden" } : spec;
    }

    /// <summary>
    /// The size of every run's init and final weights in float64: fc and resnet have the same tensors, W1 [m, d],
    /// W2 … WH [m, m] and a [m].
    /// </summary>
    public long WeightBytes() => Cells().Sum(c => 2L * sizeof(double) * ((long)c.Width * D + (c.Depth - 1L) * c.Width * c.Width + c.Width));

    public IEnumerable<(string Arch, int Depth, int Width, int Seed)> Cells() =>
        from a in Architectures from h in Depths from m in Widths from s in Enumerable.Range(1, Seeds) select (a, h, m, s);

    /// <summary>
    /// Reads a user's study (JSON, the snake_case <see cref="Keys"/>); lists every problem found, an unknown key with
    /// the valid ones.
    /// </summary>
    public static Study Load(string path)
    {
        if (!File.Exists(path)) throw new RunSpecException($"--config {path}: file not found");
        string text = File.ReadAllText(path);
        Study study;
        try
        {
            if (System.Text.Json.Nodes.JsonNode.Parse(text) is System.Text.Json.Nodes.JsonObject root)
            {
                var unknown = root.Select(kv => kv.Key).Where(k => !Keys.Contains(k)).ToList();
                if (unknown.Count > 0)
                    throw new RunSpecException($"{path}: " + string.Join("; ", unknown.Select(k =>
                        $"unknown key \"{k}\"" + (Sweeps.RunSpecFields.Closest(k, Keys) is { } hint ? $" (did you mean \"{hint}\"?)" : "")))
                        + $"; the keys of a study are {string.Join(", ", Keys)} (docs/formats.md)");
            }
            study = JsonSerializer.Deserialize<Study>(text, new JsonSerializerOptions(RunSpec.Json) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow })
                ?? throw new RunSpecException($"{path}: expected a JSON object with the keys {string.Join(", ", Keys)}");
        }
        catch (JsonException e) { throw new RunSpecException($"{path}: {e.Message}"); }
        var problems = study.Problems().ToList();
        if (problems.Count > 0) throw new RunSpecException($"{path}: {problems.Count} problem(s):\n  " + string.Join("\n  ", problems));
        return study;
    }

    public IEnumerable<string> Problems()
    {
        if (Architectures.Length == 0) yield return "architectures: empty";
        foreach (var a in Architectures)
        {
            // The study trains on synthetic vectors on the unit sphere and compares with the infinite-width kernel.
            var architecture = Architecture.TryParse(a);
            if (architecture is null) yield return $"architectures: \"{a}\" is not one of {Choices.Or(Choices.Architectures)}";
            else if (architecture.InputRank != 1) yield return $"architectures: \"{a}\" needs inputs of rank {architecture.InputRank}; the study's data are vectors";
        }
        if (Depths.Length == 0 || Depths.Any(h => h < 1)) yield return "depths: need at least one depth, each ≥ 1";
        if (Widths.Length == 0 || Widths.Any(m => m < 1)) yield return "widths: need at least one width, each ≥ 1";
        if (Seeds < 1) yield return "seeds: must be ≥ 1";
        if (N < 2) yield return "n: must be ≥ 2";
        if (D < 1) yield return "d: must be ≥ 1";
        if (Overparam.Activations.Activation.TryParse(Activation) is null) yield return $"activation: \"{Activation}\" is unknown";
        if (Steps < 1) yield return "steps: must be ≥ 1";
        if (ProbeEvery < 1) yield return "probe_every: must be ≥ 1";
        if (!Choices.LrPolicies.Contains(LrPolicy)) yield return $"lr_policy: \"{LrPolicy}\" is not {Choices.Or(Choices.LrPolicies)}";
    }
}
