using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Overparam.Activations;
using Overparam.Architectures;
using Overparam.Data;
using Overparam.Training.Optimizers;

namespace Overparam.Experiments.Sweeps;

/// <summary>
/// The fields of <see cref="RunSpec"/> by their snake_case JSON names, and a check of one value for each: its type and
/// its range. <see cref="Check"/> returns the value normalized (integers as integers) or an error message.
/// </summary>
public static partial class RunSpecFields
{
    /// <summary>Every RunSpec field name, in declaration order.</summary>
    public static IReadOnlyList<string> Names { get; } = typeof(RunSpec).GetProperties()
        .Where(p => p.CanWrite)
        .Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name)).ToArray();

    public static bool IsField(string name) => Names.Contains(name);

    /// <summary>The closest field name to a misspelled one, or null when nothing is close.</summary>
    public static string? Suggest(string name) => Closest(name, Names);

    /// <summary>The closest of <paramref name="candidates"/> to a misspelled <paramref name="name"/> (edit distance), or null when nothing is close.</summary>
    public static string? Closest(string name, IEnumerable<string> candidates)
    {
        var best = candidates.Select(n => (n, d: Distance(n, name))).MinBy(t => t.d);
        return best.n is not null && best.d <= Math.Max(2, name.Length / 3) ? best.n : null;
    }

    /// <summary>Checks <paramref name="value"/> for <paramref name="field"/>: (normalized value, null) or (null, message).</summary>
    public static (JsonNode? Value, string? Error) Check(string field, JsonNode? value) => field switch
    {
        "architecture" => Choice(value, Choices.Architectures, s => Architecture.TryParse(s) is not null),
        "activation" => Choice(value, Choices.Activations, s => Activation.TryParse(s) is not null),
        "optimizer" => value is null ? (null, null) : Choice(value, Choices.Optimizers, s => OptimizerKind.TryParse(s) is not null),
        "depth" or "width" or "n" or "d" or "d0" or "p" => Int(value, 1, "a positive integer"),
        "kernel_size" => Int(value, 1, "an odd positive integer", odd: true),
        "steps" or "probe_every" => Int(value, 0, "a non-negative integer"),
        "seed" => Int(value, 0, "a non-negative integer"),
        "data_seed" => value is null ? (null, null) : Int(value, 0, "a non-negative integer or null"),
        "c_res" or "lr" or "lr_constant" => Number(value, positive: true, "a positive number"),
        "c_sigma" => value is null ? (null, null) : Number(value, positive: true, "a positive number or null"),
        "feature_width" => value is null ? (null, null) : Int(value, 1, "a positive integer or null"),
        "batch_norm" => Bool(value),
        "target_loss" => Number(value, positive: false, "a non-negative number"),
        "allow_any_c_res" or "raw_inputs" => value is JsonValue v && v.TryGetValue(out bool b) ? (JsonValue.Create(b), null) : (null, Expected("true or false", value)),
        "output_init" => Choice(value, Choices.OutputInits),
        "labels" => Choice(value, Choices.Labels),
        "image_layout" => Choice(value, Choices.ImageLayouts),
        "lr_policy" => Choice(value, Choices.LrPolicies),
        "d_type" => Choice(value, Choices.DTypes),
        "train" => Train(value),
        "data" => Data(value),
        "classes" => Classes(value),
        "input_shape" or "init" => value is null || IsString(value, out _) ? (value?.DeepClone(), null) : (null, Expected("a string or null", value)),
        // Data: held-out sets and classification (issue 12)
        "n_test" => value is null ? (null, null) : Int(value, 1, "a positive integer or null"),
        "test_data" => value is null ? (null, null) : TestData(value),
        "test_fraction" => value is null ? (null, null) : Fraction(value, 1, upperIncluded: false, "a number in (0, 1) or null"),
        "bayes_error" => value is null ? (null, null) : Fraction(value, 0.5, upperIncluded: true, "a number in (0, 0.5] or null"),
        "standardize" => value is JsonValue sv && sv.TryGetValue(out bool sb) ? (JsonValue.Create(sb), null) : (null, Expected("true or false", value)),
        "classes_count" => value is null ? (null, null) : Int(value, 2, "an integer >= 2 or null"),
        // Classification and stochastic training (issue 12)
        "outputs" or "batch_size" or "epochs" => value is null ? (null, null) : Int(value, 1, "a positive integer or null"),
        "eval_every" or "checkpoint_every" => Int(value, 0, "a non-negative integer"),
        "parameterization" => value is null ? (null, null) : Choice(value, Choices.Parameterizations),
        "loss" => value is null ? (null, null) : Choice(value, Choices.Losses),
        "lr_schedule" => value is null ? (null, null) : Choice(value, Choices.LrSchedules),
        "bias" or "nesterov" or "centered" => Bool(value),
        "shuffle" => value is null ? (null, null) : Bool(value),
        "momentum" or "dampening" or "weight_decay" or "epsilon" or "alpha" or "lr_gamma" => value is null ? (null, null) : Number(value, positive: false, "a non-negative number or null"),
        "beta1" or "beta2" => value is null ? (null, null) : Fraction(value, 1, upperIncluded: false, "a number in [0, 1) or null", lowerIncluded: true),
        "lr_milestones" => value is null ? (null, null) : Milestones(value),
        // Flat minima (issue 13)
        "inner_steps" or "replicas" => value is null ? (null, null) : Int(value, 1, "a positive integer or null"),
        "sgld_lr" or "sgld_noise" or "sgld_momentum" or "gamma0" or "gamma1" => value is null ? (null, null) : Number(value, positive: false, "a non-negative number or null"),
        "gamma_max" => value is null ? (null, null) : Number(value, positive: true, "a positive number or null"),
        "ema_alpha" => value is null ? (null, null) : Fraction(value, 1, upperIncluded: true, "a number in [0, 1] or null", lowerIncluded: true),
        "gscale" => value is null ? (null, null) : Bool(value),
        "fair_budget" => Bool(value),
        "gamma_schedule" => value is null ? (null, null) : Choice(value, CouplingSchedule.Names),
        "probe_flatness_every" => Int(value, 0, "a non-negative integer"),
        "probe_flatness_draws" => value is null ? (null, null) : Int(value, 1, "a positive integer or null"),
        "probe_flatness_sigmas" => value is null ? (null, null) : Sigmas(value),
        // Practical sizes (issue 14)
        "probe_expressivity_every" => Int(value, 0, "a non-negative integer"),
        "lr_hidden" or "two_phase_perturbation" => value is null ? (null, null) : Number(value, positive: false, "a non-negative number or null"),
        "two_phase_at" => value is null ? (null, null) : Int(value, 0, "a non-negative integer or null"),
        "two_phase_check_every" => value is null ? (null, null) : Int(value, 1, "a positive integer or null"),
        "two_phase_check" => value is null ? (null, null) : Choice(value, TwoPhaseSettings.CheckNames),
        "two_phase_keep" => value is null ? (null, null) : Fraction(value, 1, upperIncluded: true, "a number in (0, 1] or null"),
        "require_condition" => Bool(value),
        // Spiking networks and Grad R (issue 16)
        "time_steps" => value is null ? (null, null) : Int(value, 1, "a positive integer or null"),
        "tau" or "surrogate_alpha" => value is null ? (null, null) : Number(value, positive: true, "a positive number or null"),
        "surrogate" => value is null ? (null, null) : Choice(value, Overparam.Architectures.Spiking.Surrogate.Names, s => Overparam.Architectures.Spiking.Surrogate.TryParse(s) is not null),
        "spike_readout" => value is null ? (null, null) : Choice(value, ["rate", "count"]),
        "target_sparsity" => value is null ? (null, null) : Sparsity(value),
        "prior_alpha" => value is null ? (null, null) : Number(value, positive: false, "a non-negative number or null"),
        "true_gradient" => Bool(value),
        "temperature" or "l1" => value is null ? (null, null) : Number(value, positive: false, "a non-negative number or null"),
        "max_sparsity" => value is null ? (null, null) : Fraction(value, 1, upperIncluded: true, "a number in [0, 1] or null", lowerIncluded: true),
        _ => (null, "unknown field"),
    };

    /// <summary>Grad R's target sparsity p in [0.5, 1) (μ = ln(2(1 − p))/α needs p ≥ 0.5).</summary>
    private static (JsonNode?, string?) Sparsity(JsonNode value)
    {
        var (number, error) = Fraction(value, 1, upperIncluded: false, "a number in [0.5, 1) or null", lowerIncluded: true);
        return error is null && number!.GetValue<double>() < 0.5 ? (null, Expected("a number in [0.5, 1) or null", value)) : (number, error);
    }

    private static (JsonNode?, string?) Bool(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue(out bool b) ? (JsonValue.Create(b), null) : (null, Expected("true or false", value));

    private static (JsonNode?, string?) Milestones(JsonNode value)
    {
        if (value is JsonArray a)
        {
            var parsed = a.Select(x => Int(x, 0, "")).ToArray();
            if (parsed.All(p => p.Item2 is null)) return (new JsonArray(parsed.Select(p => p.Item1).ToArray()), null);
        }
        return (null, Expected("a list of epochs, e.g. [150, 225]", value));
    }

    private static (JsonNode?, string?) Sigmas(JsonNode value)
    {
        if (value is JsonArray a && a.Count > 0)
        {
            var parsed = a.Select(x => Number(x, positive: false, "")).ToArray();
            if (parsed.All(p => p.Item2 is null)) return (new JsonArray(parsed.Select(p => p.Item1).ToArray()), null);
        }
        return (null, Expected("a list of σ ≥ 0, e.g. [0.25, 0.5]", value));
    }

    private static (JsonNode?, string?) Int(JsonNode? value, long min, string what, bool odd = false)
    {
        if (value is JsonValue v)
        {
            long l;
            if (v.TryGetValue(out long a)) l = a;
            else if (v.TryGetValue(out double x) && x == Math.Floor(x) && Math.Abs(x) < 1e15) l = (long)x;
            else if (v.TryGetValue(out JsonElement e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long b)) l = b;
            else return (null, Expected(what, value));
            if (l < min || (odd && l % 2 == 0) || l > int.MaxValue && min > 0) return (null, Expected(what, value));
            return (JsonValue.Create(l), null);
        }
        return (null, Expected(what, value));
    }

    private static (JsonNode?, string?) Number(JsonNode? value, bool positive, string what)
    {
        double x;
        if (value is JsonValue v && (v.TryGetValue(out x) || v.TryGetValue(out JsonElement e) && e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out x)))
        {
            if (!double.IsFinite(x) || (positive ? x <= 0 : x < 0)) return (null, Expected(what, value));
            return (JsonValue.Create(x), null);
        }
        if (value is JsonValue lv && lv.TryGetValue(out long l) && (positive ? l > 0 : l >= 0)) return (JsonValue.Create((double)l), null);
        return (null, Expected(what, value));
    }

    private static (JsonNode?, string?) Choice(JsonNode? value, IReadOnlyList<string> allowed, Func<string, bool>? accepts = null)
    {
        if (IsString(value, out string s) && (accepts?.Invoke(s) ?? allowed.Contains(s))) return (JsonValue.Create(s), null);
        return (null, Expected("one of " + string.Join(", ", allowed), value));
    }

    private static (JsonNode?, string?) Train(JsonNode? value)
    {
        if (!IsString(value, out string s)) return (null, Expected("all, hidden, output or a comma list of W1…WH, a", value));
        bool ok = s is "all" or "hidden" or "output" || s.Split(',').All(t => TrainToken().IsMatch(t.Trim()));
        return ok ? (JsonValue.Create(s), null) : (null, Expected("all, hidden, output or a comma list of W1…WH, a", value));
    }

    private static (JsonNode?, string?) Data(JsonNode? value)
    {
        if (!IsString(value, out string s)) return (null, Expected(DataSpec.Forms, value));
        try { DataSpec.Parse(s); return (JsonValue.Create(s), null); }
        catch (Exception e) when (e is ArgumentException or FormatException or DataFormatException) { return (null, e.Message.Split(" (Parameter")[0]); }
    }

    private static (JsonNode?, string?) Classes(JsonNode? value)
    {
        if (IsString(value, out string s) && s == "all") return (JsonValue.Create(s), null);
        if (value is JsonArray a && a.Count == 2)
        {
            var parsed = a.Select(x => Int(x, 0, "")).ToArray();
            if (parsed.All(p => p.Item2 is null)) return (new JsonArray(parsed.Select(p => p.Item1).ToArray()), null);
        }
        return (null, Expected("two non-negative integer class labels, e.g. [0, 1], or \"all\"", value));
    }

    // Data: held-out sets and classification (issue 12)
    private static (JsonNode?, string?) TestData(JsonNode value)
    {
        const string what = "csv:PATH, idx:DIR or fashion-mnist";
        if (!IsString(value, out string s)) return (null, Expected(what, value));
        try
        {
            var kind = DataSpec.Parse(s).Kind;
            return kind is DataKind.Csv or DataKind.Idx ? (JsonValue.Create(s), null) : (null, Expected(what, value));
        }
        catch (ArgumentException) { return (null, Expected(what, value)); }
    }

    /// <summary>A number in (0, high) or (0, high].</summary>
    private static (JsonNode?, string?) Fraction(JsonNode value, double high, bool upperIncluded, string what, bool lowerIncluded = false)
    {
        var (number, error) = Number(value, positive: !lowerIncluded, what);
        if (error is not null) return (null, error);
        double x = number!.GetValue<double>();
        return (x < high || upperIncluded && x == high) ? (number, null) : (null, Expected(what, value));
    }

    private static bool IsString(JsonNode? value, out string s)
    {
        s = "";
        return value is JsonValue v && v.TryGetValue(out s!) ;
    }

    /// <summary>"expected WHAT, got VALUE" with the value as JSON.</summary>
    public static string Expected(string what, JsonNode? got) =>
        $"expected {what}, got {(got is null ? "null" : got.ToJsonString())}";

    [GeneratedRegex("^(W[1-9][0-9]*|b[1-9][0-9]*|a|b_out)$")]
    private static partial Regex TrainToken();

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
