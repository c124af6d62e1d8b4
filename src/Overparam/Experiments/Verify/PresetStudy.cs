using Overparam.Reports;

namespace Overparam.Experiments.Verify;

/// <summary>
/// What a built-in study is given to run: its folder, the user's --scale (null: the preset's own), progress, Ctrl-C, and
/// the user's --config study file (null: none; a preset that takes none refuses it).
/// </summary>
public sealed record PresetContext(string Folder, double? Scale, IProgress<StudyProgress>? Progress, CancellationToken Cancel, string? Config = null);

/// <summary>
/// A built-in study of `overparam verify --preset NAME` with its own runs and report (the related papers' studies; the deep
/// paper's grid is <see cref="Study"/>). Adding one is a class and one line in <see cref="PresetStudies"/>.
/// </summary>
public abstract class PresetStudy
{
    /// <summary>The --preset value.</summary>
    public abstract string Name { get; }

    /// <summary>One line for `verify --help`: the paper, what runs, how long it takes here, what --scale means.</summary>
    public abstract string Description { get; }

    /// <summary>Whether `--config FILE` (a study file of the preset's own keys) is accepted; the others refuse it.</summary>
    public virtual bool TakesStudyFile => false;

    /// <summary>Runs the study's runs into <see cref="PresetContext.Folder"/> and builds its report (bad --scale: <see cref="RunSpecException"/>).</summary>
    public abstract Report Run(PresetContext context);

    public override string ToString() => Name;
}

/// <summary>The registered <see cref="PresetStudy"/>s.</summary>
public static class PresetStudies
{
    private static readonly Registry<PresetStudy> Registry = new("a verify preset", p => [p.Name],
    [
        new FlatnessStudy(),
        new CrosspropStudy(),
        new GradRewiringStudy(),
        new PracticalSizesStudy(),
        new RecipeStudy(),
    ]);

    public static IReadOnlyList<PresetStudy> All => Registry.All;

    public static PresetStudy? TryParse(string name) => Registry.TryParse(name);

    /// <summary>Adds a preset (a test's or a user's); its name must be new.</summary>
    public static void Register(PresetStudy preset) => Registry.Register(preset);
}
