using Overparam.Architectures;
using Overparam.Data;
using Overparam.Experiments;

namespace Overparam.Tests.Data;

public class TeacherClassesTests
{
    /// <summary>argmax_c Σ_k V[c, k]·tanh(Σ_j W[k, j]·x_j), written out.</summary>
    private static int Argmax(TeacherClasses teacher, Dataset data, int i)
    {
        var scores = new double[teacher.Classes];
        for (int k = 0; k < TeacherClasses.Width; k++)
        {
            double pre = 0;
            for (int j = 0; j < data.Features; j++) pre += teacher.W[k, j] * data.X[i, j];
            for (int c = 0; c < teacher.Classes; c++) scores[c] += teacher.V[c, k] * Math.Tanh(pre);
        }
        return Array.IndexOf(scores, scores.Max());
    }

    [Fact]
    public void LabelsAreTheTeachersArgmax()
    {
        var spec = new RunSpec { Data = "teacher-classes", N = 200, D = 5, NTest = 100, ClassesCount = 4, DataSeed = 3, RawInputs = true };
        var data = RunData.LoadSplit(spec, Architecture.Parse("fc"), out _);
        Assert.Equal(4, data.Classes);
        var teacher = new TeacherClasses(5, 4, seed: 3);
        for (int i = 0; i < data.Train.Count; i++) Assert.Equal(Argmax(teacher, data.Train, i), data.Train.Y[i]);
        for (int i = 0; i < data.Test!.Count; i++) Assert.Equal(Argmax(teacher, data.Test, i), data.Test.Y[i]);

        // The inputs are those of --data synthetic with the same seed, on the unit sphere.
        Assert.Equal(SyntheticData.UnitSphere(200, 5, 3).X.Data, data.Train.X.Data);
        Assert.Equal(SyntheticData.UnitSphere(100, 5, SyntheticData.TestSeed(3)).X.Data, data.Test.X.Data);

        // The class balance is reported, and every class occurs with this teacher.
        string balance = string.Join(", ", Enumerable.Range(0, 4).Select(c => $"{c}: {data.Train.Y.Count(y => y == c)}"));
        Assert.Contains($"class balance {balance}", data.Description);
        Assert.All(Enumerable.Range(0, 4), c => Assert.Contains((double)c, data.Train.Y));
        Assert.Contains("Bayes error 0", data.Description);
    }

    [Fact]
    public void ClassesComeFromTheOutputsWhenNotGiven()
    {
        var spec = new RunSpec { Data = "teacher-classes", N = 20, D = 3, NTest = 5 };
        Assert.Equal(3, RunData.LoadSplit(spec, Architecture.Parse("fc"), out _, outputs: 3).Classes);
        var e = Assert.Throws<RunSpecException>(() => RunData.LoadSplit(spec, Architecture.Parse("fc"), out _));
        Assert.Contains("--classes-count C", e.Message);
    }
}
