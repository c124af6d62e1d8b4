namespace Overparam.Training.Schedules;

/// <summary>η(e) = η: no scheduler in PyTorch.</summary>
public sealed class ConstantSchedule : ILearningRateSchedule
{
    public const string KindName = "constant";

    public static readonly ConstantSchedule Instance = new();

    public double At(double baseRate, int epoch) => baseRate;
}
