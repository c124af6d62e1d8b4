using Overparam.Architectures;
using Overparam.Data;
using Overparam.Numerics;

namespace Overparam.Experiments;

/// <summary>
/// Loads, labels, splits and scales the data a <see cref="RunSpec"/> asks for.
/// <list type="bullet">
/// <item>synthetic: the paper's unit-sphere regression data, no test set.</item>
/// <item>csv:PATH and idx:DIR (fashion-mnist): the training file; a test set from <c>test_data</c> (same number of features),
///   from <c>test_fraction</c> (<see cref="RandomSplit"/> with the data seed) or, for IDX, from the directory's t10k files
///   (always with classes "all", with two classes when <c>n_test</c> is given). --n and --n-test take the first samples of
///   each file in file order (see <see cref="IdxData"/>); for CSV, --n takes the first n rows (all when the file has fewer).</item>
/// <item>mixture and teacher-classes: synthetic classification with a fresh test sample of <c>n_test</c> (default 1000)
///   drawn with <see cref="SyntheticData.TestSeed"/>.</item>
/// <item>Inputs, train and test alike: scaled to unit norm (the default, the theorems' assumption), standardized per
///   feature with the training statistics (<c>standardize</c>), or kept raw (<c>raw_inputs</c>).</item>
/// </list>
/// Labels: real or ±1 (<see cref="LabelledData.Classes"/> 0), or class ids 0 … C−1 when C ≥ 2 classes are asked for
/// (<c>classes_count</c>, else the network's outputs when above 1) or IDX classes are "all".
/// </summary>
public static class RunData
{
    /// <summary>The teacher network's width for `labels: teacher`.</summary>
    public const int TeacherWidth = 64;

    /// <summary>The size of the fresh test sample of mixture and teacher-classes data when n_test is not given.</summary>
    public const int DefaultSyntheticTestCount = 1000;

    /// <summary>The Bayes error of mixture data when bayes_error is not given.</summary>
    public const double DefaultBayesError = 0.1;

    /// <summary>Above this many training samples the pairwise checks of <see cref="Dataset.Check"/> (an n × n Gram matrix) are skipped.</summary>
    public const int PairwiseCheckLimit = 10_000;

    /// <summary>The training data for a network of <paramref name="architecture"/>: vectors, or d₀ × p inputs when its input rank is 2.</summary>
    public static Dataset Load(RunSpec spec, Architecture architecture, out List<string> warnings) =>
        LoadSplit(spec, architecture, out warnings).Train;

    /// <summary>
    /// The training set, the test set when there is one, the label convention and a description of what was applied,
    /// for a network of <paramref name="architecture"/> with <paramref name="outputs"/> outputs (C &gt; 1 asks for class ids
    /// 0 … C−1 unless <see cref="RunSpec.ClassesCount"/> says otherwise).
    /// </summary>
    public static LabelledData LoadSplit(RunSpec spec, Architecture architecture, out List<string> warnings, int outputs = 1)
    {
        warnings = [];
        var source = Parse(spec.Data, "--data");
        CheckHeldOutOptions(spec, source.Kind);
        int? classes = spec.ClassesCount ?? (outputs > 1 ? outputs : null);
        bool conv = architecture.InputRank == 2;
        ulong dataSeed = spec.DataSeed ?? spec.Seed;
        LabelledData data;
        try
        {
            data = source.Kind switch
            {
                DataKind.Synthetic => Synthetic(spec, conv, dataSeed, classes),
                DataKind.Csv => Csv(spec, source.Path!, conv, classes, warnings),
                DataKind.Idx => Idx(spec, source.Path!, conv, classes, warnings),
                DataKind.Mixture => Mixture(spec, conv, dataSeed, classes),
                _ => Teacher(spec, conv, dataSeed, classes),
            };
            if (spec.TestFraction is double fraction) data = Split(data, fraction, dataSeed);
        }
        catch (DataFormatException e) { throw new RunSpecException(e.Message, e); }
        catch (FileNotFoundException e) { throw new RunSpecException(e.Message, e); }
        catch (DirectoryNotFoundException e) { throw new RunSpecException(e.Message, e); }
        if (data.Train.Count < 2) throw new RunSpecException($"{data.Train.Source}: {data.Train.Count} sample(s); at least 2 are needed");
        data = Scale(spec, data, warnings);
        if (!spec.Standardize) warnings.AddRange(TheoremChecks(data.Train));
        return data;
    }

    /// <summary>The warnings of <see cref="Dataset.Check"/> (the theorems' assumptions on unit-norm inputs), unless n is too large for them.</summary>
    private static IReadOnlyList<string> TheoremChecks(Dataset train) => train.Count <= PairwiseCheckLimit
        ? train.Check()
        : [$"n = {train.Count} > {PairwiseCheckLimit}: the checks for parallel inputs were skipped (they need an n x n Gram matrix)"];

    private static DataSpec Parse(string spec, string option)
    {
        try { return DataSpec.Parse(spec); }
        catch (ArgumentException e) { throw new RunSpecException(e.Message.Replace("--data", option)); }
    }

    /// <summary>The combinations of the held-out-set options that make no sense, before anything is read.</summary>
    private static void CheckHeldOutOptions(RunSpec spec, DataKind kind)
    {
        if (spec.TestData is not null && spec.TestFraction is not null)
            throw new RunSpecException("--test-data and --test-fraction: give one of them, not both");
        if (spec.TestFraction is double f && !(f > 0 && f < 1))
            throw new RunSpecException($"--test-fraction {f}: must be in (0, 1)");
        if (spec.TestFraction is not null && spec.NTest is not null)
            throw new RunSpecException("--n-test and --test-fraction: the fraction sets the test set's size; give one of them");
        if (spec.NTest is < 1) throw new RunSpecException($"--n-test {spec.NTest}: must be at least 1");
        if (spec.ClassesCount is < 2) throw new RunSpecException($"--classes-count {spec.ClassesCount}: must be at least 2");
        if (spec.BayesError is double e && kind != DataKind.Mixture)
            throw new RunSpecException($"--bayes-error {e}: applies to --data mixture only");
        if (spec.BayesError is double eps && !(eps > 0 && eps <= 0.5))
            throw new RunSpecException($"--bayes-error {eps}: must be in (0, 0.5]");
        if (spec.Classes.IsAll && kind != DataKind.Idx)
            throw new RunSpecException($"--classes all: applies to idx data (and fashion-mnist) only; use --classes-count for --data {spec.Data}");
        if (spec.Standardize && spec.RawInputs)
            throw new RunSpecException("--standardize and --raw: standardizing replaces the unit-norm scaling; give one of them");
        bool anyTest = spec.NTest is not null || spec.TestData is not null || spec.TestFraction is not null;
        if (kind == DataKind.Synthetic && anyTest)
            throw new RunSpecException("--data synthetic has no test set; for a classification set with a fresh test sample use --data mixture or teacher-classes");
        if (kind is DataKind.Mixture or DataKind.TeacherClasses && (spec.TestData is not null || spec.TestFraction is not null))
            throw new RunSpecException($"--data {spec.Data} draws a fresh test sample: give its size with --n-test, not --test-data or --test-fraction");
        if (kind == DataKind.Csv && spec.NTest is not null)
            throw new RunSpecException("--n-test: a CSV test file is used whole; --n-test applies to idx and synthetic classification data");
    }

    private static LabelledData Synthetic(RunSpec spec, bool conv, ulong seed, int? classes)
    {
        if (classes is not null)
            throw new RunSpecException($"--data synthetic has real-valued labels, not {classes} classes; for classification use --data mixture or teacher-classes");
        if (spec.N < 2) throw new RunSpecException($"--n {spec.N}: at least 2 samples are needed");
        var data = conv ? SyntheticData.ConvUnitSphere(spec.N, spec.D0, spec.P, seed) : SyntheticData.UnitSphere(spec.N, spec.D, seed);
        data = spec.Labels switch
        {
            "gaussian" => data,
            "teacher" => data.WithLabels(TeacherLabels(spec, data, seed)),
            _ => throw new RunSpecException($"--labels {spec.Labels}: expected gaussian or teacher"),
        };
        return new LabelledData(data, null, 0, $"{data.Source}; {spec.Labels} labels; no test set");
    }

    // A fixed random network of the same architecture and depth, width 64, with its own seed stream.
    private static double[] TeacherLabels(RunSpec spec, Dataset data, ulong seed)
    {
        var student = RunNetwork.Config(spec, data);
        var config = student with { Width = TeacherWidth, FeatureWidth = null, BatchNorm = false, OutputInit = OutputInit.Gaussian };
        var teacher = NetworkFactory.Create(config, NetworkFactory.Initialize<double>(config, new GaussianRng(seed ^ 0x7EAC4E5UL)));
        var y = new double[data.Count];
        teacher.Forward(data.X, y);
        return y;
    }

    /// <summary>The first n rows of the file (all of them when it has fewer: a warning says when rows are left out).</summary>
    private static LabelledData Csv(RunSpec spec, string path, bool conv, int? classes, List<string> warnings)
    {
        var train = CsvData.Load(path, conv ? ParseShape(spec.InputShape) : null, classes ?? 0, spec.N, out bool more);
        if (more) warnings.Add($"{path} has more than {spec.N} rows: the run uses the first {spec.N} (--n)");
        var test = spec.TestData is null ? null : TestFile(spec, DataKind.Csv, path, train, classes ?? 0, Layout(spec, conv));
        string rows = more ? $"the first {spec.N} rows" : "all rows";
        return new LabelledData(train, test, classes ?? 0, $"csv:{path}, {rows} in file order; {Labels(classes)}; {TestOrigin(spec, test)}");
    }

    private static LabelledData Idx(RunSpec spec, string dir, bool conv, int? requested, List<string> warnings)
    {
        if (spec.Classes.Pair is not null && requested is not (null or 2))
            throw new RunSpecException($"--classes {spec.Classes} is a binary task: 1 output (labels -1, +1) or 2 (class ids 0, 1), not {requested} classes");
        if (spec.N < 2) throw new RunSpecException($"--n {spec.N}: at least 2 samples are needed");
        int classes = spec.Classes.IsAll ? requested ?? IdxData.ClassCount(dir) : requested ?? 0;
        var layout = Layout(spec, conv);
        var train = IdxFiles(spec, dir, IdxPart.Train, spec.N, classes, layout);
        Dataset? test = null;
        if (spec.TestData is not null) test = TestFile(spec, DataKind.Idx, dir, train, classes, layout);
        else if (spec.TestFraction is null && (spec.Classes.IsAll || spec.NTest is not null))
        {
            if (IdxData.HasPart(dir, IdxPart.Test)) test = IdxFiles(spec, dir, IdxPart.Test, spec.NTest, classes, layout);
            else if (spec.NTest is not null) throw new RunSpecException($"--n-test {spec.NTest}: {dir} has no t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte to take a test set from");
            else warnings.Add($"no test set: {dir} has no t10k files (use --test-data or --test-fraction)");
        }
        string order = spec.Classes.Pair is (int a, int b)
            ? $"the first {spec.N / 2} samples of class {a} and the first {spec.N - spec.N / 2} of class {b}, in file order"
            : "in file order";
        return new LabelledData(train, test, classes, $"{train.Source} ({order}); {Labels(classes)}; {TestOrigin(spec, test)}");
    }

    /// <summary>One part of an IDX directory with the run's classes: two (±1, or ids 0 and 1 with 2 classes) or all (ids).</summary>
    private static Dataset IdxFiles(RunSpec spec, string dir, IdxPart part, int? n, int classes, IdxImageLayout layout)
    {
        if (spec.Classes.Pair is not (int a, int b)) return IdxData.LoadClasses(dir, n, classes, layout, part);
        if (n is null) throw new RunSpecException($"--classes {spec.Classes}: a test set from the t10k files needs its size, --n-test");
        var data = IdxData.Load(dir, a, b, n.Value, layout, part);
        return classes == 2 ? data.WithLabels(ClassIds(data.Y)) : data;
    }

    /// <summary>±1 labels as class ids: −1 → 0, +1 → 1.</summary>
    private static double[] ClassIds(double[] y) => y.Select(v => (v + 1) / 2).ToArray();

    private static IdxImageLayout Layout(RunSpec spec, bool conv) =>
        !conv ? IdxImageLayout.Flat : spec.ImageLayout == "rows" ? IdxImageLayout.RowsAsChannels : IdxImageLayout.ImageAsPositions;

    /// <summary>The test set of <see cref="RunSpec.TestData"/>, in the training data's format and with its input shape.</summary>
    private static Dataset TestFile(RunSpec spec, DataKind kind, string trainFile, Dataset train, int classes, IdxImageLayout layout)
    {
        var source = Parse(spec.TestData!, "--test-data");
        if (source.Kind != kind)
            throw new RunSpecException($"--test-data {spec.TestData}: the test set must be in the training data's format, {(kind == DataKind.Csv ? "csv:PATH" : "idx:DIR or fashion-mnist")}");
        var test = kind == DataKind.Csv
            ? CsvData.Load(source.Path!, null, classes)
            : IdxFiles(spec, source.Path!, IdxPart.Test, spec.NTest, classes, layout);
        if (test.Features != train.Features)
            throw new DataFormatException(source.Path!, $"test samples have {test.Features} features, but the training data {trainFile} has {train.Features}");
        return new Dataset(test.X, test.Y, train.InputShape, test.Source);
    }

    private static LabelledData Split(LabelledData data, double fraction, ulong seed)
    {
        int k = RandomSplit.TestCount(data.Train.Count, fraction);
        if (data.Train.Count - k < 2)
            throw new RunSpecException($"--test-fraction {fraction} of {data.Train.Count} samples leaves {data.Train.Count - k} for training; at least 2 are needed");
        var (train, test) = RandomSplit.Split(data.Train, fraction, seed);
        return data with { Train = train, Test = test };
    }

    private static LabelledData Mixture(RunSpec spec, bool conv, ulong seed, int? classes)
    {
        if (classes is not (null or 2))
            throw new RunSpecException($"--data mixture is binary: 1 output (labels -1, +1) or 2 (class ids 0, 1), not {classes} classes");
        if (spec.N < 2) throw new RunSpecException($"--n {spec.N}: at least 2 samples are needed");
        var mixture = new GaussianMixture(conv ? [spec.D0, spec.P] : [spec.D], spec.BayesError ?? DefaultBayesError, seed);
        ulong testSeed = SyntheticData.TestSeed(seed);
        var train = mixture.Sample(spec.N, seed);
        var test = mixture.Sample(spec.NTest ?? DefaultSyntheticTestCount, testSeed);
        if (classes == 2) { train = train.WithLabels(ClassIds(train.Y)); test = test.WithLabels(ClassIds(test.Y)); }
        return new LabelledData(train, test, classes ?? 0,
            $"gaussian mixture x = y*mu + N(0, I), y = -1 or +1 with probability 1/2, ||mu|| = {mixture.MeanNorm:R} " +
            $"for Bayes error {mixture.BayesError:R} (the error of sign(mu'x)), mu's direction from seed {seed} ^ 0xD12EC7; " +
            $"{Labels(classes)}; training set n = {spec.N}, seed {seed}; fresh test set n = {test.Count}, seed {testSeed}");
    }

    private static LabelledData Teacher(RunSpec spec, bool conv, ulong seed, int? classes)
    {
        if (classes is not int c)
            throw new RunSpecException("--data teacher-classes needs the number of classes: --classes-count C (C >= 2) or --outputs C");
        if (spec.N < 2) throw new RunSpecException($"--n {spec.N}: at least 2 samples are needed");
        int[] shape = conv ? [spec.D0, spec.P] : [spec.D];
        var teacher = new TeacherClasses(shape.Aggregate(1, (a, b) => a * b), c, seed);
        ulong testSeed = SyntheticData.TestSeed(seed);
        var train = teacher.Sample(spec.N, shape, seed);
        var test = teacher.Sample(spec.NTest ?? DefaultSyntheticTestCount, shape, testSeed);
        return new LabelledData(train, test, c,
            $"teacher classes: unit-sphere inputs labelled by argmax of a random fc teacher {train.Features} -> {TeacherClasses.Width} (tanh) -> {c} " +
            $"(teacher seed {seed} ^ 0x7EAC4E5), Bayes error 0; training set n = {spec.N}, seed {seed}, class balance {Balance(train, c)}; " +
            $"fresh test set n = {test.Count}, seed {testSeed}, class balance {Balance(test, c)}");
    }

    /// <summary>"0: 31, 1: 33" — samples per class.</summary>
    private static string Balance(Dataset data, int classes) =>
        string.Join(", ", Enumerable.Range(0, classes).Select(k => $"{k}: {data.Y.Count(y => y == k)}"));

    private static string Labels(int? classes) => classes is int c and >= 2 ? $"labels are class ids 0..{c - 1}" : "labels as given (real or -1/+1)";

    private static string TestOrigin(RunSpec spec, Dataset? test) => test is null
        ? spec.TestFraction is double f ? $"test set: a seeded random split, fraction {f}" : "no test set"
        : $"test set: {test.Source}";

    /// <summary>Scales train and test alike (standardize, unit norm or raw) and says so in the description.</summary>
    private static LabelledData Scale(RunSpec spec, LabelledData data, List<string> warnings)
    {
        if (spec.Standardize)
        {
            var standardization = Standardization.Fit(data.Train);
            return data with
            {
                Train = standardization.Apply(data.Train), Test = data.Test is null ? null : standardization.Apply(data.Test),
                Description = $"{data.Description}; {standardization.Description}",
            };
        }
        if (spec.RawInputs)
        {
            warnings.Add("inputs kept raw (--raw): the theorems assume unit-norm inputs");
            return data with { Description = $"{data.Description}; inputs kept raw" };
        }
        return data with
        {
            Train = Normalized(data.Train), Test = data.Test is null ? null : Normalized(data.Test),
            Description = $"{data.Description}; every input scaled to unit norm",
        };
    }

    /// <summary>The inputs scaled to unit norm; an input of norm 0 (or one whose norm overflows) is bad input naming the data and the sample.</summary>
    private static Dataset Normalized(Dataset data)
    {
        try { return data.Normalized(); }
        catch (InvalidOperationException e)
        {
            throw new RunSpecException($"{data.Source}: {e.Message} (samples counted in the order taken from the file); --raw or --standardize keep such inputs");
        }
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
