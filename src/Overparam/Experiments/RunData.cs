using Overparam.Architectures;
using Overparam.Data;
using Overparam.Numerics;

namespace Overparam.Experiments;

/// <summary>Loads, labels and normalizes the data a <see cref="RunSpec"/> asks for.</summary>
public static class RunData
{
    /// <summary>The teacher network's width for `labels: teacher`.</summary>
    public const int TeacherWidth = 64;

    /// <summary>The data for a network of <paramref name="architecture"/>: vectors, or d₀ × p inputs when its input rank is 2.</summary>
    public static Dataset Load(RunSpec spec, Architecture architecture, out List<string> warnings)
    {
        warnings = [];
        DataSpec source;
        try { source = DataSpec.Parse(spec.Data); }
        catch (ArgumentException e) { throw new RunSpecException(e.Message); }
        bool conv = architecture.InputRank == 2;
        ulong dataSeed = spec.DataSeed ?? spec.Seed;
        Dataset data;
        try
        {
            data = source.Kind switch
            {
                DataKind.Synthetic => Synthetic(spec, conv, dataSeed),
                DataKind.Csv => CsvData.Load(source.Path!, conv ? ParseShape(spec.InputShape) : null),
                _ => IdxData.Load(source.Path!, spec.Classes[0], spec.Classes[1], spec.N,
                    !conv ? IdxImageLayout.Flat : spec.ImageLayout == "rows" ? IdxImageLayout.RowsAsChannels : IdxImageLayout.ImageAsPositions),
            };
        }
        catch (DataFormatException e) { throw new RunSpecException(e.Message, e); }
        catch (FileNotFoundException e) { throw new RunSpecException(e.Message, e); }
        catch (DirectoryNotFoundException e) { throw new RunSpecException(e.Message, e); }
        if (data.Count < 2) throw new RunSpecException($"{data.Source}: {data.Count} sample(s); at least 2 are needed");
        if (!spec.RawInputs) data = data.Normalized();
        else warnings.Add("inputs kept raw (--raw): the theorems assume unit-norm inputs");
        warnings.AddRange(data.Check());
        return data;
    }

    private static Dataset Synthetic(RunSpec spec, bool conv, ulong seed)
    {
        if (spec.N < 2) throw new RunSpecException($"--n {spec.N}: at least 2 samples are needed");
        var data = conv ? SyntheticData.ConvUnitSphere(spec.N, spec.D0, spec.P, seed) : SyntheticData.UnitSphere(spec.N, spec.D, seed);
        return spec.Labels switch
        {
            "gaussian" => data,
            "teacher" => data.WithLabels(TeacherLabels(spec, data, seed)),
            _ => throw new RunSpecException($"--labels {spec.Labels}: expected gaussian or teacher"),
        };
    }

    // A fixed random network of the same architecture and depth, width 64, with its own seed stream.
    private static double[] TeacherLabels(RunSpec spec, Dataset data, ulong seed)
    {
        var student = RunNetwork.Config(spec, data);
        var config = student with { Width = TeacherWidth, OutputInit = OutputInit.Gaussian };
        var teacher = NetworkFactory.Create(config, NetworkFactory.Initialize<double>(config, new GaussianRng(seed ^ 0x7EAC4E5UL)));
        var y = new double[data.Count];
        teacher.Forward(data.X, y);
        return y;
    }

    /// <summary>"3x32" → [3, 32] (d₀ × p).</summary>
    public static int[] ParseShape(string? shape)
    {
        if (shape is null) throw new RunSpecException("--input-shape is required for CSV data with --arch convresnet (e.g. --input-shape 3x32 for d0 = 3 channels, p = 32 positions)");
        var parts = shape.ToLowerInvariant().Split('x');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int d0) || !int.TryParse(parts[1], out int p) || d0 < 1 || p < 1)
            throw new RunSpecException($"--input-shape \"{shape}\": expected d0xp with positive integers, e.g. 3x32");
        return [d0, p];
    }
}
