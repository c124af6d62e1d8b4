namespace Overparam.Training.Schedules;

/// <summary>
/// Step decay at milestones: η(e) = η·γ^{#(milestones ≤ e)}, computed as PyTorch does when stepping, one factor γ per
/// milestone passed; PyTorch's <c>torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones, gamma)</c> stepped once per
/// epoch (e.g. milestones 150, 225 and γ = 0.1: η for epochs 0–149, 0.1η for 150–224, 0.01η from 225 on).
/// </summary>
public sealed class StepSchedule : ILearningRateSchedule
{
    public const string KindName = "step";

    /// <summary>PyTorch's default γ.</summary>
    public const double DefaultGamma = 0.1;

    /// <summary>The epochs at which the rate is multiplied by <see cref="Gamma"/>, increasing.</summary>
    public IReadOnlyList<int> Milestones { get; }

    /// <summary>γ.</summary>
    public double Gamma { get; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the option unless the milestones are positive and increasing and γ ≥ 0.</summary>
    public StepSchedule(IReadOnlyList<int> milestones, double gamma = DefaultGamma)
    {
        if (milestones.Count == 0) throw new ArgumentException("--lr-schedule step needs --lr-milestones");
        for (int i = 0; i < milestones.Count; i++)
            if (milestones[i] < 1 || (i > 0 && milestones[i] <= milestones[i - 1]))
                throw new ArgumentException($"--lr-milestones {string.Join(",", milestones)}: must be positive epochs in increasing order");
        if (!(gamma >= 0) || double.IsPositiveInfinity(gamma)) throw new ArgumentException($"--lr-gamma {gamma}: must be a finite number ≥ 0");
        Milestones = [.. milestones];
        Gamma = gamma;
    }

    public double At(double baseRate, int epoch)
    {
        double rate = baseRate;
        foreach (int milestone in Milestones)
            if (milestone <= epoch) rate *= Gamma;
        return rate;
    }
}
