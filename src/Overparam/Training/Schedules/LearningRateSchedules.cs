using System.Globalization;

namespace Overparam.Training.Schedules;

/// <summary>The values of `--lr-schedule` and how each schedule is built from the run's options.</summary>
public static class LearningRateSchedules
{
    public static IReadOnlyList<string> Names { get; } = [ConstantSchedule.KindName, StepSchedule.KindName, CosineSchedule.KindName];

    /// <summary>
    /// The schedule named <paramref name="name"/> (case-insensitive): constant; step at <paramref name="milestones"/>
    /// (epochs) with factor <paramref name="gamma"/> (null: 0.1); cosine over the run's <paramref name="epochs"/>. Throws
    /// an <see cref="ArgumentException"/> naming the option for an unknown name, a bad value, or milestones or γ given
    /// to a schedule other than step.
    /// </summary>
    public static ILearningRateSchedule Create(string name, int epochs, IReadOnlyList<int>? milestones = null, double? gamma = null)
    {
        bool step = string.Equals(name, StepSchedule.KindName, StringComparison.OrdinalIgnoreCase);
        if (!step && milestones is { Count: > 0 }) throw new ArgumentException($"--lr-milestones needs --lr-schedule step, not {name}");
        if (!step && gamma is not null) throw new ArgumentException($"--lr-gamma needs --lr-schedule step, not {name}");
        return name.ToLowerInvariant() switch
        {
            ConstantSchedule.KindName => ConstantSchedule.Instance,
            StepSchedule.KindName => new StepSchedule(milestones ?? [], gamma ?? StepSchedule.DefaultGamma),
            CosineSchedule.KindName => new CosineSchedule(epochs),
            _ => throw new ArgumentException($"--lr-schedule {name}: expected one of {string.Join(", ", Names)}"),
        };
    }

    /// <summary>The epochs of `--lr-milestones 150,225`; throws an <see cref="ArgumentException"/> naming the option on a non-integer.</summary>
    public static IReadOnlyList<int> ParseMilestones(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries).Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int e) ? e
            : throw new ArgumentException($"--lr-milestones {text}: expected epochs separated by commas, e.g. 150,225")).ToArray();
}
