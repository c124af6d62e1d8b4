namespace Overparam.Training.Schedules;

/// <summary>
/// Cosine annealing to zero over E epochs: η(e) = η·½(1 + cos(π e / E)), so η(0) = η and η(E) = 0; PyTorch's
/// <c>torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=E, eta_min=0)</c> stepped once per epoch (PyTorch
/// computes it recursively, equal up to rounding). Past E the formula continues, as PyTorch's does (the rate rises again).
/// </summary>
public sealed class CosineSchedule : ILearningRateSchedule
{
    public const string KindName = "cosine";

    /// <summary>E, the epochs of the run (PyTorch's T_max).</summary>
    public int Epochs { get; }

    /// <summary>Throws an <see cref="ArgumentException"/> unless E ≥ 1.</summary>
    public CosineSchedule(int epochs)
    {
        if (epochs < 1) throw new ArgumentException($"--lr-schedule cosine needs --epochs ≥ 1, got {epochs}");
        Epochs = epochs;
    }

    public double At(double baseRate, int epoch) => baseRate * (1 + Math.Cos(Math.PI * epoch / Epochs)) / 2;
}
