using System.Text.Json;
using System.Text.Json.Nodes;
using Overparam.Architectures;
using Overparam.Data;
using Overparam.Experiments;
using Overparam.Experiments.Sweeps;
using Overparam.IO;

namespace Overparam.Tests.Data;

/// <summary>Test sets from files and the checks of the held-out-set options (RunData.LoadSplit), their spec fields and data.safetensors.</summary>
public sealed class HeldOutSetTests : IDisposable
{
    private readonly TempDirectory dir = new();
    public void Dispose() => dir.Dispose();

    private static readonly Architecture Fc = Architecture.Parse("fc");

    private static RunSpecException Fails(RunSpec spec) => Assert.Throws<RunSpecException>(() => RunData.LoadSplit(spec, Fc, out _));

    [Fact]
    public void CsvTestFileIsLoadedAndScaledLikeTheTrainingFile()
    {
        string train = dir.Write("train.csv", "3,4,1\n1,0,0\n");
        string test = dir.Write("test.csv", "0,2,1\n-1,0,0\n");
        var data = RunData.LoadSplit(new RunSpec { Data = "csv:" + train, TestData = "csv:" + test }, Fc, out _, outputs: 2);
        Assert.Equal(2, data.Classes);
        Assert.Equal([0.6, 0.8, 1, 0], data.Train.X.Data);
        Assert.Equal([0.0, 1, -1, 0], data.Test!.X.Data);
        Assert.Equal([1.0, 0], data.Test.Y);
        Assert.Contains($"test set: csv:{test}", data.Description);
        Assert.Contains("every input scaled to unit norm", data.Description);
    }

    [Fact]
    public void CsvTestFileWithAnotherFeatureCountNamesBothFiles()
    {
        string train = dir.Write("train.csv", "3,4,1\n1,0,0\n");
        string test = dir.Write("test.csv", "1,2,3,1\n4,5,6,0\n");
        var e = Fails(new RunSpec { Data = "csv:" + train, TestData = "csv:" + test });
        var inner = Assert.IsType<DataFormatException>(e.InnerException);
        Assert.Equal(test, inner.File);
        Assert.Equal($"{test}: test samples have 3 features, but the training data {train} has 2", e.Message);
    }

    [Fact]
    public void CsvTestLabelsAreCheckedAsClassIds()
    {
        string train = dir.Write("train.csv", "3,4,1\n1,0,0\n");
        string test = dir.Write("test.csv", "1,2,1\n1,2,5\n");
        Assert.StartsWith($"{test}:2:3: label \"5\" is not a class id 0…2", Fails(new RunSpec { Data = "csv:" + train, TestData = "csv:" + test, ClassesCount = 3 }).Message);
    }

    /// <summary>An IDX directory with one pair of files of 2 images (labels 1, 0) of side × side pixels.</summary>
    private string IdxDirectory(string name, string prefix, int side)
    {
        string path = Path.Combine(dir.Path, name);
        Directory.CreateDirectory(path);
        byte[] pixels = new byte[2 * side * side];
        pixels[0] = 255; pixels[^1] = 255;
        File.WriteAllBytes(Path.Combine(path, $"{prefix}-images-idx3-ubyte"), [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, (byte)side, 0, 0, 0, (byte)side, .. pixels]);
        File.WriteAllBytes(Path.Combine(path, $"{prefix}-labels-idx1-ubyte"), [0, 0, 8, 1, 0, 0, 0, 2, 1, 0]);
        return path;
    }

    [Fact]
    public void IdxTestDataReadsTheT10kFilesOfItsDirectory()
    {
        string train = IdxDirectory("train", "train", 2), test = IdxDirectory("test", "t10k", 2);
        var spec = new RunSpec { Data = "idx:" + train, TestData = "idx:" + test, Classes = ClassSelection.All, N = 2 };
        var data = RunData.LoadSplit(spec, Fc, out _);
        Assert.Equal(2, data.Classes);
        Assert.Equal([1.0, 0], data.Test!.Y);
        Assert.Equal([1.0, 0, 0, 0, 0, 0, 0, 1], data.Test.X.Data);

        string other = IdxDirectory("other", "t10k", 3);
        var e = Fails(spec with { TestData = "idx:" + other });
        Assert.Equal($"{other}: test samples have 9 features, but the training data {train} has 4", e.Message);
        Assert.Contains("the test set must be in the training data's format, idx:DIR",
            Fails(spec with { TestData = "csv:" + dir.Write("t.csv", "1,2,3,4,0\n") }).Message);
    }

    [Fact]
    public void IdxWithoutT10kFilesHasNoTestSet()
    {
        string train = IdxDirectory("train", "train", 2);
        var data = RunData.LoadSplit(new RunSpec { Data = "idx:" + train, Classes = ClassSelection.All, N = 2 }, Fc, out var warnings);
        Assert.Null(data.Test);
        Assert.Contains(warnings, w => w.StartsWith("no test set"));
        Assert.Contains("has no t10k", Fails(new RunSpec { Data = "idx:" + train, Classes = ClassSelection.All, N = 2, NTest = 1 }).Message);
    }

    [Theory]
    [InlineData("both", "--test-data and --test-fraction: give one of them, not both")]
    [InlineData("fraction-range", "--test-fraction 1: must be in (0, 1)")]
    [InlineData("n-test-and-fraction", "--n-test and --test-fraction")]
    [InlineData("synthetic", "--data synthetic has no test set")]
    [InlineData("synthetic-classes", "--data synthetic has real-valued labels, not 3 classes")]
    [InlineData("mixture-file", "--data mixture draws a fresh test sample")]
    [InlineData("mixture-classes", "--data mixture is binary")]
    [InlineData("bayes-csv", "--bayes-error 0.2: applies to --data mixture only")]
    [InlineData("bayes-range", "--bayes-error 0.6: must be in (0, 0.5]")]
    [InlineData("all-csv", "--classes all: applies to idx data")]
    [InlineData("standardize-raw", "--standardize and --raw")]
    [InlineData("csv-n-test", "--n-test: a CSV test file is used whole")]
    [InlineData("classes-count", "--classes-count 1: must be at least 2")]
    public void BadCombinationsAreRunSpecErrors(string @case, string message)
    {
        string csv = dir.Write("d.csv", "1,2,0\n3,4,1\n5,6,0\n");
        var c = new RunSpec { Data = "csv:" + csv };
        var spec = @case switch
        {
            "both" => c with { TestData = "csv:" + csv, TestFraction = 0.5 },
            "fraction-range" => c with { TestFraction = 1 },
            "n-test-and-fraction" => c with { TestFraction = 0.5, NTest = 3 },
            "synthetic" => new RunSpec { NTest = 10 },
            "synthetic-classes" => new RunSpec { ClassesCount = 3 },
            "mixture-file" => new RunSpec { Data = "mixture", TestFraction = 0.5 },
            "mixture-classes" => new RunSpec { Data = "mixture", ClassesCount = 3 },
            "bayes-csv" => c with { BayesError = 0.2 },
            "bayes-range" => new RunSpec { Data = "mixture", BayesError = 0.6 },
            "all-csv" => c with { Classes = ClassSelection.All },
            "standardize-raw" => c with { Standardize = true, RawInputs = true },
            "csv-n-test" => c with { NTest = 2 },
            _ => c with { ClassesCount = 1 },
        };
        Assert.Contains(message, Fails(spec).Message);
    }

    [Fact]
    public void LoadReturnsTheTrainingSetOfLoadSplit()
    {
        var spec = new RunSpec { Data = "mixture", N = 8, D = 3, NTest = 4 };
        Assert.Equal(RunData.LoadSplit(spec, Fc, out _).Train.X.Data, RunData.Load(spec, Fc, out _).X.Data);
    }

    [Fact]
    public void DataSafetensorsHoldsTheTestSet()
    {
        var data = RunData.LoadSplit(new RunSpec { Data = "mixture", N = 8, D = 3, NTest = 5 }, Fc, out _);
        using (var folder = RunFolder.Create(dir.File("run"))) folder.WriteData(data.Train, data.Test);
        var tensors = SafeTensors.Read(dir.File("run/data.safetensors"));
        Assert.Equal(["X", "X_test", "y", "y_test"], tensors.Keys.Order());
        Assert.Equal([5, 3], tensors["X_test"].Shape);
        Assert.Equal([5], tensors["y_test"].Shape);

        using (var folder = RunFolder.Create(dir.File("run2"))) folder.WriteData(data.Train);
        Assert.Equal(["X", "y"], SafeTensors.Read(dir.File("run2/data.safetensors")).Keys.Order());
    }

    [Fact]
    public void SpecJsonWithoutTheNewFieldsIsAsBefore()
    {
        string json = new RunSpec().ToJson();
        foreach (string field in new[] { "n_test", "test_data", "test_fraction", "bayes_error", "standardize", "classes_count" })
            Assert.DoesNotContain($"\"{field}\"", json);
        Assert.Contains("\"classes\": [\n    0,\n    1\n  ]", json.ReplaceLineEndings("\n"));

        var spec = new RunSpec { Classes = ClassSelection.All, NTest = 100, Standardize = true, TestFraction = 0.2, ClassesCount = 10 };
        var back = JsonSerializer.Deserialize<RunSpec>(spec.ToJson(), RunSpec.Json)!;
        Assert.Equal(spec.ToJson(), back.ToJson());
        Assert.Contains("\"classes\": \"all\"", spec.ToJson());
        Assert.Equal(ClassSelection.Binary(2, 5), JsonSerializer.Deserialize<RunSpec>("{\"classes\": [2, 5]}", RunSpec.Json)!.Classes);
    }

    [Theory]
    [InlineData("classes", "\"all\"", "\"all\"")]
    [InlineData("classes", "[3, 4]", "[3,4]")]
    [InlineData("n_test", "500", "500")]
    [InlineData("test_data", "\"csv:t.csv\"", "\"csv:t.csv\"")]
    [InlineData("test_data", "\"fashion-mnist\"", "\"fashion-mnist\"")]
    [InlineData("test_fraction", "0.2", "0.2")]
    [InlineData("bayes_error", "0.5", "0.5")]
    [InlineData("standardize", "true", "true")]
    [InlineData("classes_count", "10", "10")]
    public void SweepFieldsAccept(string field, string json, string normalized)
    {
        var (value, error) = RunSpecFields.Check(field, JsonNode.Parse(json));
        Assert.Null(error);
        Assert.Equal(normalized, value!.ToJsonString());
    }

    [Theory]
    [InlineData("classes", "\"some\"")]
    [InlineData("n_test", "0")]
    [InlineData("test_data", "\"mixture\"")]
    [InlineData("test_fraction", "1")]
    [InlineData("test_fraction", "0")]
    [InlineData("bayes_error", "0.6")]
    [InlineData("standardize", "1")]
    [InlineData("classes_count", "1")]
    public void SweepFieldsReject(string field, string json) => Assert.NotNull(RunSpecFields.Check(field, JsonNode.Parse(json)).Error);
}
