using System.Reflection;
using System.Text.Json;

namespace Overparam.Experiments;

/// <summary>
/// The checks of a <see cref="RunSpec"/> that need nothing but the spec: every number finite, counts and sizes in range,
/// names among their choices. They run before anything is read or created (<see cref="RunExecutor.Execute"/>, `kernel`),
/// so that bad input leaves no folder behind. Checks that need the data or the network (class ids, shapes, memory) are
/// made where those are built.
/// </summary>
public static class RunSpecChecks
{
    /// <summary>The image layouts of IDX data for the conv net.</summary>
    public static readonly string[] ImageLayouts = ["positions", "rows"];

    /// <summary>Throws a <see cref="RunSpecException"/> naming the option for the first bad value.</summary>
    public static void Check(RunSpec spec)
    {
        // Every floating-point setting, given or not, must be a finite number (NaN and ±Infinity parse as doubles).
        foreach (var p in typeof(RunSpec).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            object? value = p.GetValue(spec);
            if (value is double v && !double.IsFinite(v))
                throw new RunSpecException($"{Option(p)} {Text(v)}: must be a finite number");
        }
        foreach (double s in spec.ProbeFlatnessSigmas ?? [])
            if (!double.IsFinite(s)) throw new RunSpecException($"--probe-flatness-sigmas: σ = {Text(s)} must be a finite number");

        if (!(spec.Lr > 0)) throw new RunSpecException($"--lr {Text(spec.Lr)}: must be positive");
        if (!(spec.LrConstant > 0))
            throw new RunSpecException($"--lr-constant {Text(spec.LrConstant)}: must be positive (η = c·λ₀/n² or c/λ_max(G(0)); c ≤ 0 would stand still or climb the loss)");
        if (!(spec.TargetLoss >= 0)) throw new RunSpecException($"--target-loss {Text(spec.TargetLoss)}: must be at least 0");
        if (spec.CSigma is double cs && !(cs > 0)) throw new RunSpecException($"c_sigma {Text(cs)}: must be positive");
        if (spec.Steps < 0) throw new RunSpecException($"--steps {spec.Steps}: must be non-negative");
        if (spec.ProbeEvery < 0) throw new RunSpecException($"--probe-every {spec.ProbeEvery}: must be non-negative (0: never)");
        if (spec.D < 1) throw new RunSpecException($"--d {spec.D}: the input dimension must be at least 1");
        if (spec.D0 < 1) throw new RunSpecException($"--d0 {spec.D0}: the number of input channels must be at least 1");
        if (spec.P < 1) throw new RunSpecException($"--p {spec.P}: the number of positions must be at least 1");
        if (spec.N < 1) throw new RunSpecException($"--n {spec.N}: at least 2 samples are needed");
        if (!ImageLayouts.Contains(spec.ImageLayout))
            throw new RunSpecException($"--image-layout {spec.ImageLayout}: expected {Choices.Or(ImageLayouts)}");
    }

    private static string Option(PropertyInfo p) => "--" + JsonNamingPolicy.KebabCaseLower.ConvertName(p.Name);

    private static string Text(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
