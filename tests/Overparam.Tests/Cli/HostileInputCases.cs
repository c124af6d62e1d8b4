using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Overparam.IO;

namespace Overparam.Tests.Cli;

/// <summary>
/// One hostile input: the arguments (<c>{dir}</c> stands for a fresh temporary folder), what <see cref="Setup"/> puts in
/// that folder first, the exit code and a fragment of standard error (for exit 0: of standard output or error).
/// </summary>
public sealed record HostileCase(string Name, string[] Args, int Exit, string Fragment, Action<string>? Setup = null)
{
    public override string ToString() => Name;
}

/// <summary>
/// The table of issue 11's hostile inputs (bad input → exit 2 with a message naming the option, file, line or field).
/// <see cref="HostileInputTests"/> runs every row in-process; `tests/hostile-inputs` runs them through the built CLI and
/// prints each exit code and first line.
/// </summary>
public static class HostileInputCases
{
    // Small runs: one option given in a case replaces the default of the same name.
    private static readonly (string Option, string Value)[] TrainDefaults =
        [("--width", "8"), ("--depth", "2"), ("--steps", "2"), ("--n", "8"), ("--threads", "1"), ("--out", "{dir}/run")];

    private static string[] Train(params string[] args)
    {
        var list = new List<string> { "train", "--quiet" };
        foreach (var (o, v) in TrainDefaults) if (!args.Contains(o)) list.AddRange([o, v]);
        return [.. list, .. args];
    }

    private static HostileCase Bad(string name, string[] args, string fragment, Action<string>? setup = null) => new(name, args, 2, fragment, setup);

    public static IReadOnlyList<HostileCase> All { get; } =
    [
        // Options: numbers out of range, NaN and infinities, names not among the choices (RunSpecChecks).
        Bad("lr-constant negative", Train("--lr-constant", "-1"), "--lr-constant -1: must be positive"),
        Bad("lr-constant zero", Train("--lr-constant", "0"), "--lr-constant 0: must be positive"),
        Bad("lr-constant NaN", Train("--lr-constant", "NaN"), "--lr-constant NaN: must be a finite number"),
        Bad("lr Infinity", Train("--lr", "Infinity"), "--lr Infinity: must be a finite number"),
        Bad("lr zero", Train("--lr", "0"), "--lr 0: must be positive"),
        Bad("c-res NaN even with --allow-any-c-res", Train("--arch", "resnet", "--c-res", "NaN", "--allow-any-c-res"), "--c-res NaN: must be a finite number"),
        Bad("target-loss NaN", Train("--target-loss", "NaN"), "--target-loss NaN: must be a finite number"),
        Bad("target-loss negative", Train("--target-loss", "-1"), "--target-loss -1: must be at least 0"),
        Bad("probe-every negative", Train("--probe-every", "-1"), "--probe-every -1: must be non-negative"),
        Bad("momentum Infinity", Train("--optimizer", "sgd", "--lr", "0.1", "--momentum", "Infinity"), "--momentum Infinity: must be a finite number"),
        Bad("d zero", Train("--d", "0"), "--d 0: the input dimension must be at least 1"),
        Bad("d0 zero", Train("--arch", "convresnet", "--d0", "0"), "--d0 0: the number of input channels must be at least 1"),
        Bad("p zero", Train("--arch", "convresnet", "--p", "0"), "--p 0: the number of positions must be at least 1"),
        Bad("image-layout unknown", Train("--arch", "convresnet", "--image-layout", "foo"), "--image-layout foo: expected positions or rows"),
        Bad("kernel c-res Infinity", ["kernel", "--n", "8", "--threads", "1", "--arch", "resnet", "--c-res", "Infinity", "--allow-any-c-res", "--out", "{dir}/k"], "--c-res Infinity: must be a finite number"),

        // The parser: unparsable values and unknown options.
        Bad("unparsable integer", Train("--steps", "abc"), "Cannot parse argument 'abc' for option '--steps'"),
        Bad("integer given as 1e3", Train("--d", "1e3"), "Cannot parse argument '1e3' for option '--d'"),
        Bad("unknown option", Train("--bogus", "1"), "Unrecognized command or argument '--bogus'"),
        Bad("unknown command", ["trian"], "Unrecognized command or argument 'trian'"),

        // Requests that cannot fit: estimated before anything is allocated.
        Bad("width 2e9", Train("--width", "2000000000"), "more than an array can hold"),
        Bad("width 30000 at depth 20", Train("--width", "30000", "--depth", "20"), "needs at least"),
        Bad("kernel n 200000", ["kernel", "--n", "200000", "--d", "2", "--threads", "1", "--out", "{dir}/k"], "the kernels of n = 200000 samples (--n)"),
        Bad("kernel n 40000 depth 60", ["kernel", "--n", "40000", "--d", "2", "--depth", "60", "--threads", "1", "--out", "{dir}/k"], "needs at least"),

        // CSV data.
        Bad("csv row of 1e-320 and zeros", Train("--data", "csv:{dir}/tiny.csv"), "tiny.csv:1: input row's squared norm underflows to 0",
            d => Text(d, "tiny.csv", "1e-320,0,0,0,0,1\n1,2,3,4,5,1\n2,1,3,4,5,0\n")),
        Bad("csv feature 1e200", Train("--data", "csv:{dir}/big.csv"), "big.csv:2: input row's squared norm overflows",
            d => Text(d, "big.csv", "1,2,3,1\n1e200,1,1,1\n2,1,3,0\n")),
        Bad("csv label 1e160", Train("--data", "csv:{dir}/label.csv", "--lr", "0.01"), "label.csv:2:4: label \"1e160\" is too large",
            d => Text(d, "label.csv", "1,2,3,1\n3,1,1,1e160\n2,1,3,0\n")),
        Bad("csv:/dev/zero", Train("--data", "csv:/dev/zero"), "/dev/zero:1: line is longer than 16777216 characters"),
        new("csv of 50,000 rows with --n 10", Train("--data", "csv:{dir}/rows.csv", "--n", "10"), 0, "has more than 10 rows: the run uses the first 10 (--n)",
            d => Text(d, "rows.csv", Rows(50_000))),
        Bad("csv of 50,000 rows, all of them", Train("--data", "csv:{dir}/rows.csv", "--n", "50000"), "n x n need an array of 2,500,000,000 entries",
            d => Text(d, "rows.csv", Rows(50_000))),

        // IDX data: every file read to its end and checked.
        Bad("idx all-zero image", Train("--data", "idx:{dir}", "--n", "2"), "input 1 has norm 0",
            d => Idx(d, Images(2, 2, 2, [0, 0, 0, 0, 1, 2, 3, 4]), Labels([0, 1]))),
        Bad("idx header 65535x65535", Train("--data", "idx:{dir}", "--n", "2"), "header gives images of 65535x65535",
            d => Idx(d, Images(2, 65535, 65535, new byte[100]), Labels([0, 1]))),
        Bad("idx images cut short", Train("--data", "idx:{dir}", "--n", "2"), "train-images-idx3-ubyte: file ends early",
            d => Idx(d, Images(4, 2, 2, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15])[..^1], Labels([0, 1, 0, 1]))),
        Bad("idx gzip cut short", Train("--data", "idx:{dir}", "--n", "2"), "train-images-idx3-ubyte.gz: file ends early",
            d => Idx(d, Gzip(Images(4, 2, 2, Pixels(16)))[..^6], Labels([0, 1, 0, 1]), gzipImages: true)),
        Bad("idx gzip with a bad CRC", Train("--data", "idx:{dir}", "--n", "2"), "train-images-idx3-ubyte.gz: corrupt gzip data",
            d => Idx(d, Flip(Gzip(Images(4, 2, 2, Pixels(16))), ^8), Labels([0, 1, 0, 1]), gzipImages: true)),
        Bad("classes 1,1", Train("--data", "idx:{dir}", "--classes", "1,1"), "--classes 1,1: the two classes must differ",
            d => Idx(d, Images(4, 2, 2, Pixels(16)), Labels([0, 1, 0, 1]))),

        // Weights: --init, and a saved run's final.safetensors for `gram`.
        Bad("init with NaN", Train("--init", "{dir}/w.safetensors"), "--init {dir}/w.safetensors: tensor W2 holds NaN at [0, 1]",
            d => Weights(d, "w.safetensors", ("W2", 1, double.NaN))),
        Bad("init with Infinity", Train("--init", "{dir}/w.safetensors"), "tensor a holds Infinity at [2]",
            d => Weights(d, "w.safetensors", ("a", 2, double.PositiveInfinity))),
        Bad("init with an extra tensor", Train("--init", "{dir}/w.safetensors"), "is not a parameter of this network",
            d => Weights(d, "w.safetensors", extra: true)),
        Bad("gram, final weights NaN", ["gram", "--run", "{dir}/run", "--threads", "1"], "final weights of {dir}/run: tensor W1 holds NaN at [0, 0]",
            d => Weights(d, "run/final.safetensors", ("W1", 0, double.NaN))),
        Bad("gram, final weights with an extra tensor", ["gram", "--run", "{dir}/run", "--threads", "1"], "is not a parameter of this network",
            d => Weights(d, "run/final.safetensors", extra: true)),
        Bad("gram, corrupt config.json", ["gram", "--run", "{dir}/run", "--threads", "1"], "run/config.json: not a run configuration",
            d => { GoodRun(d); File.WriteAllText(Path.Combine(d, "run", "config.json"), "{\"spec\": {"); }),
        Bad("gram, X and y counts differ", ["gram", "--run", "{dir}/run", "--threads", "1"], "X holds 8 samples and y 7 labels",
            d => { GoodRun(d); CutLabels(Path.Combine(d, "run", "data.safetensors")); }),

        // Output locations.
        Bad("out empty", Train("--out", ""), "--out \"\": empty path"),
        Bad("out under a file", Train("--out", "{dir}/file/run"), "{dir}/file is a file, so no folder can be made under it", d => Text(d, "file", "x")),
        Bad("out in /proc", Train("--out", "/proc/overparam-run"), "--out /proc/overparam-run: cannot create or write the folder"),
        Bad("kernel out under a file", ["kernel", "--n", "8", "--threads", "1", "--out", "{dir}/file/k"], "is a file, so no folder can be made under it", d => Text(d, "file", "x")),

        Bad("sweep out under a file", ["sweep", "{dir}/ok.yaml", "--out", "{dir}/file/sweep", "--quiet"], "sweep folder {dir}/file/sweep: {dir}/file is a file",
            d => { Text(d, "ok.yaml", SmallSweep); Text(d, "file", "x"); }),
        Bad("sweep out empty", ["sweep", "{dir}/ok.yaml", "--out", "", "--quiet"], "sweep folder \"\": empty path", d => Text(d, "ok.yaml", SmallSweep)),
        Bad("verify out under a file", ["verify", "--config", "{dir}/v.json", "--out", "{dir}/file/report"], "--out {dir}/file/report: {dir}/file is a file",
            d => { Text(d, "v.json", """{"architectures":["fc"],"depths":[1],"widths":[8],"seeds":1,"n":8,"d":4,"steps":5}"""); Text(d, "file", "x"); }),

        // Sweep and verify specifications, result stores.
        Bad("malformed YAML", ["sweep", "{dir}/bad.yaml", "--out", "{dir}/sweep"], "invalid YAML", d => Text(d, "bad.yaml", "base: { architecture: fc, n: 8\ngrid: [\n")),
        Bad("verify config null", ["verify", "--config", "{dir}/null.json", "--out", "{dir}/report"], "null.json: expected a JSON object", d => Text(d, "null.json", "null")),
        Bad("damaged results.db", ["sweep", "{dir}/ok.yaml", "--out", "{dir}/sweep", "--quiet"], "{dir}/sweep/results.db: the result store is damaged",
            d => { Text(d, "ok.yaml", SmallSweep); Directory.CreateDirectory(Path.Combine(d, "sweep")); File.WriteAllBytes(Path.Combine(d, "sweep", "results.db"), Garbage); }),
        Bad("status of a damaged results.db", ["sweep", "status", "{dir}/sweep"], "the result store is damaged",
            d => { Directory.CreateDirectory(Path.Combine(d, "sweep")); File.WriteAllBytes(Path.Combine(d, "sweep", "results.db"), Garbage); }),
        Bad("grid of 10^6 cells", ["sweep", "{dir}/cube.yaml", "--out", "{dir}/sweep", "--quiet"], "the sweep has 1,000,000 cells (100 seed x 100 width x 100 depth)",
            d => Text(d, "cube.yaml", "base: {architecture: fc, n: 8, depth: 1, steps: 2}\ngrid: {seed: [" + Range(100) + "], width: [" + Range(100) + "], depth: [" + Range(100) + "]}\n")),
    ];

    /// <summary>100 bytes that are not an SQLite database.</summary>
    public static byte[] Garbage => Encoding.ASCII.GetBytes(new string('x', 100));

    private const string SmallSweep = "base: {architecture: fc, n: 8, width: 8, depth: 1, steps: 2}\ngrid: {seed: [1, 2]}\n";

    private static string Range(int n) => string.Join(",", Enumerable.Range(1, n));

    private static void Text(string dir, string name, string text) => File.WriteAllText(Path.Combine(dir, name), text);

    /// <summary>Rows of 4 features and a label, all distinct and non-zero.</summary>
    private static string Rows(int n)
    {
        var b = new StringBuilder();
        for (int i = 0; i < n; i++) b.Append(CultureInfo.InvariantCulture, $"{i + 1},{i % 7 + 1},{i % 13 - 6.5},{i % 3 + 0.5},{i % 2}\n");
        return b.ToString();
    }

    private static byte[] Pixels(int n) => Enumerable.Range(1, n).Select(i => (byte)(i * 7)).ToArray();

    private static byte[] Images(uint count, uint rows, uint cols, byte[] pixels)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(header, 0x803);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), count);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), rows);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(12), cols);
        return [.. header, .. pixels];
    }

    private static byte[] Labels(byte[] labels)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(header, 0x801);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)labels.Length);
        return [.. header, .. labels];
    }

    private static byte[] Gzip(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(raw);
        return ms.ToArray();
    }

    private static byte[] Flip(byte[] bytes, Index at)
    {
        bytes[at] ^= 0xFF;
        return bytes;
    }

    private static void Idx(string dir, byte[] images, byte[] labels, bool gzipImages = false)
    {
        File.WriteAllBytes(Path.Combine(dir, gzipImages ? "train-images-idx3-ubyte.gz" : "train-images-idx3-ubyte"), images);
        File.WriteAllBytes(Path.Combine(dir, "train-labels-idx1-ubyte"), labels);
    }

    /// <summary>A finished run of the train defaults in dir/run.</summary>
    private static void GoodRun(string dir)
    {
        var r = CliHarness.Run([.. Train("--out", Path.Combine(dir, "run"))]);
        if (r.ExitCode != 0) throw new InvalidOperationException("the good run failed: " + r);
    }

    /// <summary>
    /// dir/<paramref name="file"/>: the final weights of a good run, with one value replaced or an extra tensor added.
    /// </summary>
    private static void Weights(string dir, string file, (string Tensor, int Index, double Value)? poke = null, bool extra = false)
    {
        GoodRun(dir);
        var tensors = SafeTensors.Read(Path.Combine(dir, "run", "final.safetensors")).Values.ToList();
        if (poke is var (name, index, value))
        {
            int k = tensors.FindIndex(t => t.Name == name);
            var data = tensors[k].AsDoubles();
            data[index] = value;
            tensors[k] = Tensor.F64(name, tensors[k].Shape, data);
        }
        if (extra) tensors.Add(Tensor.F64("Wextra", [2], [1, 2]));
        SafeTensors.Write(Path.Combine(dir, file), tensors);
    }

    /// <summary>data.safetensors with one label fewer than samples.</summary>
    private static void CutLabels(string file)
    {
        var tensors = SafeTensors.Read(file);
        var y = tensors["y"].AsDoubles();
        SafeTensors.Write(file, [tensors["X"], Tensor.F64("y", [y.Length - 1], y[..^1])]);
    }
}
