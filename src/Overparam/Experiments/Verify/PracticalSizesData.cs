using System.Globalization;
using System.Text;
using Overparam.Data;
using Overparam.Numerics;

namespace Overparam.Experiments.Verify;

/// <summary>
/// The three data sets of `verify --preset practical-sizes` (docs/mathematics.md §13.5), built from the same inputs:
/// "natural" (unit-sphere inputs labelled by the random teacher of <see cref="TeacherClasses"/>), "random-labels" (the
/// same inputs, labels i.i.d. uniform over the C classes) and "random-inputs" (i.i.d. N(0, I_d) inputs with those same
/// random labels). Each is a pool of max(n) training samples, whose first n rows are the training set of size n, and a
/// test set of n_test samples drawn the same way (fresh teacher inputs; fresh uniform labels; fresh Gaussian inputs).
/// </summary>
public sealed record PracticalSizesData(string Name, Dataset Train, Dataset Test)
{
    public static readonly string[] Names = ["natural", "random-labels", "random-inputs"];

    /// <summary>The three data sets for <paramref name="config"/> (pools of <paramref name="pool"/> training samples).</summary>
    public static PracticalSizesData[] Build(PracticalSizesConfig config, int pool)
    {
        int d = config.D, c = config.Classes;
        var teacher = new TeacherClasses(d, c, config.DataSeed);
        var natural = teacher.Sample(pool, [d], config.DataSeed);
        var naturalTest = teacher.Sample(config.NTest, [d], SyntheticData.TestSeed(config.DataSeed));
        var labels = UniformLabels(pool, c, config.DataSeed ^ 0x1ABE15UL);
        var testLabels = UniformLabels(config.NTest, c, SyntheticData.TestSeed(config.DataSeed) ^ 0x1ABE15UL);
        return
        [
            new("natural", natural, naturalTest),
            new("random-labels", natural.WithLabels(labels), naturalTest.WithLabels(testLabels)),
            new("random-inputs", Gaussian(pool, d, config.DataSeed ^ 0x6A055UL, labels), Gaussian(config.NTest, d, SyntheticData.TestSeed(config.DataSeed) ^ 0x6A055UL, testLabels)),
        ];
    }

    /// <summary>n labels i.i.d. uniform on {0, …, C−1}: ⌊u·C⌋ for u uniform in [0, 1) from GaussianRng(seed).</summary>
    public static double[] UniformLabels(int n, int classes, ulong seed)
    {
        var rng = new GaussianRng(seed);
        var y = new double[n];
        for (int i = 0; i < n; i++) y[i] = Math.Min(classes - 1, (int)(rng.NextUniform() * classes));
        return y;
    }

    private static Dataset Gaussian(int n, int d, ulong seed, double[] labels)
    {
        var x = new Matrix<double>(n, d);
        new GaussianRng(seed).FillGaussian(x.Data);
        return new Dataset(x, labels, [d], $"i.i.d. N(0, I_{d}) inputs, n={n}, seed={seed}");
    }

    /// <summary>Writes a data set as CSV (features then the class id; values round-trip exactly), as `--data csv:PATH` reads it.</summary>
    public static void WriteCsv(Dataset data, string path)
    {
        var text = new StringBuilder();
        for (int i = 0; i < data.Count; i++)
        {
            foreach (var v in data.X.Row(i)) text.Append(v.ToString("R", CultureInfo.InvariantCulture)).Append(',');
            text.Append(((int)data.Y[i]).ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        IO.AtomicFile.WriteAllText(path, text.ToString());
    }
}
