namespace Overparam.Training.Schedules;

/// <summary>
/// The learning rate as a function of the epoch, stepped once per epoch as PyTorch's <c>torch.optim.lr_scheduler</c>
/// classes are when <c>scheduler.step()</c> is called at the end of each epoch. Epochs are integers e = 0, 1, …: the
/// training loop computes e = ⌊k / steps per epoch⌋ at step k and sets <see cref="IOptimizer{T}.LearningRate"/> to
/// <see cref="At"/>(η, e) before the step, η being the run's base rate; within an epoch the rate is constant.
/// </summary>
public interface ILearningRateSchedule
{
    /// <summary>The learning rate at epoch <paramref name="epoch"/> ≥ 0 for the base rate <paramref name="baseRate"/>.</summary>
    double At(double baseRate, int epoch);
}
