namespace Overparam.Data;

/// <summary>Where the data comes from, as named by the CLI's <c>--data</c> option.</summary>
public enum DataKind
{
    /// <summary>Random unit-sphere inputs (<see cref="SyntheticData"/>); the CLI supplies n, d and the seed.</summary>
    Synthetic,
    /// <summary>A CSV file (<see cref="CsvData"/>); <see cref="DataSpec.Path"/> is the file.</summary>
    Csv,
    /// <summary>A directory of IDX files (<see cref="IdxData"/>); <see cref="DataSpec.Path"/> is the directory.</summary>
    Idx,
    /// <summary>The binary Gaussian mixture with a known Bayes error (<see cref="GaussianMixture"/>).</summary>
    Mixture,
    /// <summary>Unit-sphere inputs labelled by a random teacher network's argmax (<see cref="TeacherClasses"/>).</summary>
    TeacherClasses,
}

/// <summary>
/// A parsed <c>--data</c> value: <c>synthetic</c>, <c>csv:PATH</c>, <c>idx:DIR</c>, <c>fashion-mnist</c>
/// (short for <c>idx:/usr/share/datasets/fashion-mnist</c>, where Debian's dataset-fashion-mnist installs it),
/// <c>mixture</c> or <c>teacher-classes</c>.
/// The CLI combines it with --n, --d, --classes and so on.
/// </summary>
public sealed record DataSpec(DataKind Kind, string? Path)
{
    /// <summary>Where Debian's package dataset-fashion-mnist puts the IDX files.</summary>
    public const string FashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The accepted forms, for help texts and error messages.</summary>
    public const string Forms = "synthetic, csv:PATH, idx:DIR, fashion-mnist, mixture or teacher-classes";

    /// <summary>Parses a <c>--data</c> value; throws <see cref="ArgumentException"/> naming the accepted forms otherwise.</summary>
    public static DataSpec Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string s = spec.Trim();
        if (s.Equals("synthetic", StringComparison.OrdinalIgnoreCase)) return new DataSpec(DataKind.Synthetic, null);
        if (s.Equals("fashion-mnist", StringComparison.OrdinalIgnoreCase)) return new DataSpec(DataKind.Idx, FashionMnistDirectory);
        if (s.Equals("mixture", StringComparison.OrdinalIgnoreCase)) return new DataSpec(DataKind.Mixture, null);
        if (s.Equals("teacher-classes", StringComparison.OrdinalIgnoreCase)) return new DataSpec(DataKind.TeacherClasses, null);
        int colon = s.IndexOf(':');
        if (colon > 0)
        {
            string prefix = s[..colon].ToLowerInvariant(), path = s[(colon + 1)..];
            DataKind? kind = prefix switch { "csv" => DataKind.Csv, "idx" => DataKind.Idx, _ => null };
            if (kind is not null)
            {
                if (path.Length == 0)
                    throw new ArgumentException($"--data {spec}: missing {(kind == DataKind.Csv ? "file" : "directory")} after '{prefix}:'", nameof(spec));
                return new DataSpec(kind.Value, path);
            }
        }
        throw new ArgumentException($"--data \"{spec}\" is not understood: expected {Forms}", nameof(spec));
    }

    /// <summary>The spec back in <c>--data</c> form.</summary>
    public override string ToString() => Kind switch
    {
        DataKind.Synthetic => "synthetic",
        DataKind.Csv => $"csv:{Path}",
        DataKind.Mixture => "mixture",
        DataKind.TeacherClasses => "teacher-classes",
        _ => $"idx:{Path}",
    };
}
