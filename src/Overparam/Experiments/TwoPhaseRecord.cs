using System.Numerics;
using System.Text.Json.Nodes;
using Overparam.Training.Optimizers;

namespace Overparam.Experiments;

/// <summary>
/// What a two-phase run (--two-phase-at) records: the rule's state in every metrics.csv row (phase, s_τ, σ_min(Φ_t)/s_τ
/// kept and tried, η_hidden/η, rejections) and, when the run ends, two-phase.json with the condition checked at τ
/// (docs/formats.md).
/// </summary>
internal sealed class TwoPhaseRecord<T>(TwoPhase<T> rule, TwoPhaseSettings settings, int? tauEpochs) : IMetricsSource
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public const string FileName = "two-phase.json";

    /// <summary>How the rule is described in --help, the report and two-phase.json.</summary>
    public const string Rule = "reconstruction (not the paper's verbatim Algorithm 1): after every K-th phase-2 update keep the hidden weights if sigma_min(Phi_t) >= c*s_tau, else restore them and halve the hidden learning rate";

    public IReadOnlyList<string> Columns { get; } = [MetricColumns.Phase, MetricColumns.STau, MetricColumns.SigmaRatio,
        MetricColumns.SigmaRatioTried, MetricColumns.HiddenLrFactor, MetricColumns.Rejections];

    public bool Due(int epoch, bool isLast) => true;

    public void Measure(Dictionary<string, double> row)
    {
        row[MetricColumns.Phase] = rule.InPhase2 ? 2 : 1;
        row[MetricColumns.HiddenLrFactor] = rule.HiddenFactor;
        row[MetricColumns.Rejections] = rule.Rejections;
        if (double.IsNaN(rule.STau)) return;
        row[MetricColumns.STau] = rule.STau;
        if (!double.IsNaN(rule.KeptSigma)) row[MetricColumns.SigmaRatio] = rule.KeptSigma / rule.STau;          // empty after a certified check
        if (!double.IsNaN(rule.TriedSigma)) row[MetricColumns.SigmaRatioTried] = rule.TriedSigma / rule.STau;
    }

    /// <summary>The values summary.json and a study read: condition_checked, condition_holds, s_tau, rejections.</summary>
    public IReadOnlyDictionary<string, double> Final()
    {
        var d = new Dictionary<string, double> { ["condition_checked"] = rule.AtTau is null ? 0 : 1, ["rejections"] = rule.Rejections };
        if (rule.AtTau is { } r) { d["condition_holds"] = r.Holds ? 1 : 0; d[MetricColumns.STau] = r.SigmaMin; }
        return d;
    }

    public JsonObject Json()
    {
        var at = rule.AtTau;
        return new JsonObject
        {
            ["rule"] = Rule,
            ["tau_step"] = settings.Tau,
            ["tau_epochs"] = tauEpochs,
            ["check_every"] = settings.CheckEvery,
            ["check"] = settings.Certified ? "certified" : "exact",
            ["keep"] = settings.Keep,
            ["perturbation"] = settings.Perturbation,
            ["require_condition"] = settings.RequireCondition,
            ["condition_checked"] = at is not null,
            ["condition_holds"] = at?.Holds,
            ["n"] = at?.Rows,
            ["m"] = at?.Cols,
            ["rank"] = at?.Rank,
            ["s_tau"] = at is null ? null : Finite(at.SigmaMin),
            ["sigma_max"] = at is null ? null : Finite(at.SigmaMax),
            ["tolerance"] = at is null ? null : Finite(at.Tolerance),
            ["checks"] = rule.Checks,
            ["rejections"] = rule.Rejections,
            ["hidden_lr_factor"] = rule.HiddenFactor,
            ["last_kept_sigma_min"] = Finite(rule.KeptSigma),
        };
    }

    private static JsonNode? Finite(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
}
