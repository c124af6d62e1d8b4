namespace Overparam.Training.Optimizers;

/// <summary>
/// Replicated-SGD's coupling γ at epoch e = 0 … E−1 (docs/mathematics.md §11.3, the code lineage's <c>gsched</c>):
/// <code>
/// exp:     γ(e) = γ0 (1 + γ1)^e        γ1 = γmax^(1/E) − 1 unless given
/// lin:     γ(e) = γ0 + γ1 e            γ1 = γ0 (γmax − 1) / E unless given
/// cosine:  γ(e) = ½ γmax (1 − cos(π min(e + 1, E) / E))
/// </code>
/// exp and lin make E − 1 increases in E epochs, as the code (the last epoch has γ0·γmax^((E−1)/E), resp.
/// γ0(1 + (γmax − 1)(E − 1)/E)); γmax is a factor for them and γ's last value for cosine, which ignores γ0. The code's
/// cosine is 0 in the first epoch unless advanced once before training: it is advanced here (e + 1), so every epoch is
/// coupled and the last one has γmax.
/// </summary>
public sealed class CouplingSchedule
{
    public static readonly IReadOnlyList<string> Names = ["exp", "lin", "cosine"];

    private readonly string kind;
    private readonly double? gamma1;
    private readonly double gammaMax;
    private readonly int epochs;

    /// <summary>Checks the settings; an <see cref="ArgumentException"/> names the option.</summary>
    public CouplingSchedule(string kind, double? gamma1, double gammaMax, int epochs, bool gamma0Given)
    {
        if (!Names.Contains(kind)) throw new ArgumentException($"--gamma-schedule {kind}: expected one of {string.Join(", ", Names)}");
        if (gamma1 is { } g1) OptimizerSettings.RequireNonNegative("--gamma1", g1);
        if (!(gammaMax > 0 && double.IsFinite(gammaMax))) throw new ArgumentException($"--gamma-max {gammaMax}: must be a finite number > 0");
        if (kind == "cosine" && (gamma1 is not null || gamma0Given))
            throw new ArgumentException("--gamma-schedule cosine: γ = ½γmax(1 − cos(π(e+1)/E)) has no --gamma0 or --gamma1; set --gamma-max");
        if (gamma1 is null && epochs < 1) throw new ArgumentException("--gamma1 is not given, and γ1 from --gamma-max needs the run's number of epochs");
        (this.kind, this.gamma1, this.gammaMax, this.epochs) = (kind, gamma1, gammaMax, epochs);
    }

    /// <summary>γ at epoch <paramref name="epoch"/> from <paramref name="gamma0"/>.</summary>
    public double At(double gamma0, int epoch) => kind switch
    {
        "exp" => gamma0 * Math.Pow(1 + (gamma1 ?? Math.Pow(gammaMax, 1.0 / epochs) - 1), epoch),
        "lin" => gamma0 + (gamma1 ?? gamma0 * (gammaMax - 1) / epochs) * epoch,
        _ => 0.5 * gammaMax * (1 - Math.Cos(Math.PI * Math.Min(epoch + 1, epochs) / epochs)),
    };
}
