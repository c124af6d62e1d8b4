using System.Text.Json.Nodes;
using Overparam.Data;
using Overparam.IO;

namespace Overparam.Online;

/// <summary>One task of a stream: inputs [count, inputs+1] row-major with the bias entry 1 last, and targets (values or class ids).</summary>
public sealed record OnlineTask(double[] X, double[] Y);

/// <summary>
/// A stream of examples presented one at a time, in stages: stage s presents the examples of task Schedule[s] in order
/// (a revisited task presents the same examples again, as the authors' scripts do). <see cref="Examples"/> may stop the
/// stream before the last stage ends.
/// </summary>
public sealed class OnlineStream
{
    public OnlineStream(string kind, int inputs, int outputs, IReadOnlyList<OnlineTask> tasks, int[] schedule, int stageLength, JsonObject settings, int? examples = null)
    {
        (Kind, Inputs, Outputs, Tasks, Schedule, StageLength, Settings) = (kind, inputs, outputs, tasks, schedule, stageLength, settings);
        Examples = examples ?? schedule.Length * stageLength;
        if (stageLength < 1) throw new ArgumentException($"stages of {stageLength} examples: need at least 1");
        if (Examples < stageLength)
            throw new ArgumentException($"--examples {Examples}: the stream is shorter than one stage ({stageLength} examples)");
        if (Examples > schedule.Length * stageLength)
            throw new ArgumentException($"--examples {Examples}: the stream has {schedule.Length} stages of {stageLength}, {schedule.Length * stageLength} examples");
        foreach (var t in tasks)
            if (t.Y.Length < stageLength || t.X.Length != t.Y.Length * (inputs + 1))
                throw new ArgumentException($"a task has {t.Y.Length} examples of {inputs + 1} entries; a stage needs {stageLength}");
    }

    /// <summary>geoff or fashion-roll.</summary>
    public string Kind { get; }

    /// <summary>Inputs without the bias entry.</summary>
    public int Inputs { get; }

    /// <summary>K: 1 for regression, the number of classes for classification.</summary>
    public int Outputs { get; }

    public IReadOnlyList<OnlineTask> Tasks { get; }

    /// <summary>The task of each stage.</summary>
    public int[] Schedule { get; }

    public int StageLength { get; }

    /// <summary>N, the examples presented.</summary>
    public int Examples { get; }

    /// <summary>The generator's settings and seed, for config.json.</summary>
    public JsonObject Settings { get; }

    public int StageOf(int t) => t / StageLength;

    /// <summary>Example t: its input with the bias entry and its target.</summary>
    public (ReadOnlyMemory<double> X, double Y) this[int t]
    {
        get
        {
            var task = Tasks[Schedule[t / StageLength]];
            int r = t % StageLength, cols = Inputs + 1;
            return (task.X.AsMemory(r * cols, cols), task.Y[r]);
        }
    }

    /// <summary>The stream as presented: X [N, inputs+1] with the bias entry, y [N], stage [N], task [N].</summary>
    public IReadOnlyList<Tensor> ToTensors()
    {
        int cols = Inputs + 1;
        var x = new double[(long)Examples * cols];
        var (y, stage, task) = (new double[Examples], new double[Examples], new double[Examples]);
        for (int t = 0; t < Examples; t++)
        {
            var (xt, yt) = this[t];
            xt.Span.CopyTo(x.AsSpan(t * cols, cols));
            (y[t], stage[t], task[t]) = (yt, StageOf(t), Schedule[StageOf(t)]);
        }
        return [Tensor.F64("X", [Examples, cols], x), Tensor.F64("y", [Examples], y), Tensor.F64("stage", [Examples], stage), Tensor.F64("task", [Examples], task)];
    }

    /// <summary>
    /// Continual GEOFF (the authors' onlineGEOFF.py): task 0 draws inputs, the target (U*, w*) and noise; each next task
    /// redraws ⌊(F + 1)·mutate⌋ of w* and draws fresh inputs, keeping U*; the stages cycle through the tasks
    /// (3 tasks, 6 stages: T0, T1, T2, T0, T1, T2). With mutate 0 and as many tasks as stages it is stationary GEOFF on
    /// fresh examples.
    /// </summary>
    public static OnlineStream Geoff(int inputs, int features, int tasks, int stages, int stageLength, double mutate, ulong seed, int? examples = null)
    {
        if (tasks < 1 || stages < 1) throw new ArgumentException($"--tasks {tasks}, --stages {stages}: need at least 1 of each");
        if (!(mutate >= 0 && mutate <= 1)) throw new ArgumentException($"--mutate {mutate}: must be in [0, 1]");
        var g = new Geoff(inputs, features, seed);
        var list = new List<OnlineTask>();
        for (int k = 0; k < tasks; k++)
        {
            if (k > 0) g.Mutate(mutate);
            var x = g.NewInputs(stageLength);
            if (k == 0) g.NewTarget();
            list.Add(new OnlineTask(x, g.Targets(x)));
        }
        var settings = new JsonObject
        {
            ["stream"] = "geoff", ["inputs"] = inputs, ["features"] = features, ["beta"] = Online.Geoff.Beta, ["tasks"] = tasks,
            ["stages"] = stages, ["stage_examples"] = stageLength, ["mutate"] = mutate, ["seed"] = seed, ["rng"] = "xoshiro256** (polar method for N(0, 1))",
        };
        return new OnlineStream("geoff", inputs, 1, list, Enumerable.Range(0, stages).Select(s => s % tasks).ToArray(), stageLength, settings, examples);
    }

    /// <summary>
    /// The label-roll stream of the authors' tfOnlineMNIST.py on Fashion-MNIST: the first <paramref name="stageLength"/>
    /// training images in file order (pixels in [0, 1]; <paramref name="pool"/> 2 averages 2×2 blocks, 28×28 → 14×14), and
    /// task k relabels class c as (c − k) mod 10 (the one-hot vector rolled by k); the stages cycle through the tasks.
    /// </summary>
    public static OnlineStream FashionRoll(string dir, int tasks, int stages, int stageLength, int pool, int? examples = null)
    {
        if (tasks < 1 || stages < 1) throw new ArgumentException($"--tasks {tasks}, --stages {stages}: need at least 1 of each");
        if (pool is not (1 or 2)) throw new ArgumentException($"--pool {pool}: must be 1 (28×28) or 2 (14×14)");
        if (stageLength < 1) throw new ArgumentException($"--stage-examples {stageLength}: must be at least 1");
        var data = IdxData.LoadClasses(dir, stageLength, 10);
        int side = 28 / pool, inputs = side * side, cols = inputs + 1;
        var x = new double[stageLength * cols];
        for (int r = 0; r < stageLength; r++)
        {
            var image = data.X.Row(r);
            for (int a = 0; a < side; a++)
                for (int b = 0; b < side; b++)
                {
                    double s = 0;
                    for (int p = 0; p < pool; p++)
                        for (int q = 0; q < pool; q++) s += image[(a * pool + p) * 28 + b * pool + q];
                    x[r * cols + a * side + b] = s / (pool * pool);
                }
            x[r * cols + inputs] = 1;
        }
        var list = new List<OnlineTask>();
        for (int k = 0; k < tasks; k++)
            list.Add(new OnlineTask(x, data.Y.Select(c => (double)(((int)c - k) % 10 + 10) % 10).ToArray()));
        var settings = new JsonObject
        {
            ["stream"] = "fashion-roll", ["data"] = dir, ["images"] = $"the first {stageLength} training images, in file order", ["pool"] = pool,
            ["tasks"] = tasks, ["stages"] = stages, ["stage_examples"] = stageLength, ["relabel"] = "task k: class c becomes (c - k) mod 10",
        };
        return new OnlineStream("fashion-roll", inputs, 10, list, Enumerable.Range(0, stages).Select(s => s % tasks).ToArray(), stageLength, settings, examples);
    }
}
