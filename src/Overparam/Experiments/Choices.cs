using Overparam.Architectures;
using Overparam.Training.Optimizers;

namespace Overparam.Experiments;

/// <summary>
/// Every choice list of a run's options in one place; --help, the spec parser, sweep validation and the error messages
/// all read them from here (architectures and optimizers from their registries, activations from theirs).
/// </summary>
public static class Choices
{
    public static IReadOnlyList<string> Architectures => Architecture.Names;
    public static IReadOnlyList<string> Activations => Overparam.Activations.Activation.Names;
    public static IReadOnlyList<string> Optimizers => OptimizerKind.Names;

    /// <summary>Step-size policies (<see cref="StepSize.Choose"/>).</summary>
    public static readonly IReadOnlyList<string> LrPolicies = ["fixed", "theory", "stable"];

    public static readonly IReadOnlyList<string> DTypes = ["float64", "float32"];
    public static readonly IReadOnlyList<string> Parameterizations = ["ntk", "standard"];
    public static IReadOnlyList<string> Losses => Training.Losses.Loss.Names;
    public static IReadOnlyList<string> LrSchedules => Training.Schedules.LearningRateSchedules.Names;
    public static readonly IReadOnlyList<string> OutputInits = ["gaussian", "sign"];
    public static readonly IReadOnlyList<string> Labels = ["gaussian", "teacher"];
    public static readonly IReadOnlyList<string> ImageLayouts = ["positions", "rows"];

    /// <summary>"a, b or c".</summary>
    public static string Or(IReadOnlyList<string> choices) =>
        choices.Count <= 1 ? string.Join("", choices) : string.Join(", ", choices.Take(choices.Count - 1)) + " or " + choices[^1];
}
