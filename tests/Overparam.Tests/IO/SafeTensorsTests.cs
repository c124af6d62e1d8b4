using System.Diagnostics;
using System.Text;
using Overparam.IO;
using Xunit.Abstractions;

namespace Overparam.Tests.IO;

public sealed class SafeTensorsTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    // One F64 tensor "a" of shape [2] = {1.0, -2.5}, worked out by hand:
    // header {"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}} is 55 bytes, padded with one space to 56;
    // 1.0 = 0x3FF0000000000000 and -2.5 = 0xC004000000000000, little-endian.
    private static readonly byte[] TinyFile =
    [
        56, 0, 0, 0, 0, 0, 0, 0,
        .. Encoding.ASCII.GetBytes("{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}} "),
        0, 0, 0, 0, 0, 0, 0xF0, 0x3F,
        0, 0, 0, 0, 0, 0, 0x04, 0xC0,
    ];

    [Fact]
    public void ReadsAHandBuiltFile()
    {
        string path = dir.File("tiny.safetensors");
        File.WriteAllBytes(path, TinyFile);
        var t = Assert.Single(SafeTensors.Read(path)).Value;
        Assert.Equal("a", t.Name);
        Assert.Equal(TensorDType.F64, t.DType);
        Assert.Equal([2], t.Shape);
        Assert.Equal([1.0, -2.5], t.Doubles!);
    }

    [Fact]
    public void WritesTheHandBuiltBytesExactly()
    {
        string path = dir.File("out.safetensors");
        SafeTensors.Write(path, [Tensor.F64("a", [2], [1.0, -2.5])]);
        Assert.Equal(TinyFile, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".tmp"));
    }

    private static List<Tensor> Sample() =>
    [
        Tensor.F64("w1", [2, 3], [1, -2, 3.5, double.Epsilon, -0.0, 1e300]),
        Tensor.F32("b", [3], [0.5f, -1.25f, float.MaxValue]),
        Tensor.F64("scalar", [], [Math.PI]),
        Tensor.F32("empty", [0, 4], []),
        Tensor.F64("a", [1, 1, 2], [7, 8]),
    ];

    [Fact]
    public void RoundTripsValuesShapesOrderAndMetadata()
    {
        string path = dir.File("round.safetensors");
        var meta = new Dictionary<string, string> { ["format"] = "overparam", ["note"] = "λ₀ \"quoted\"" };
        SafeTensors.Write(path, Sample(), meta);
        ulong headerLength = BitConverter.ToUInt64(File.ReadAllBytes(path), 0);
        Assert.Equal(0UL, headerLength % 8); // padding keeps the data buffer 8-aligned
        Assert.Equal(8 + (long)headerLength + 48 + 12 + 8 + 0 + 16, new FileInfo(path).Length);

        var read = SafeTensors.Read(path, out var readMeta);
        Assert.Equal(meta, readMeta);
        Assert.Equal(["w1", "b", "scalar", "empty", "a"], read.Keys);
        foreach (var t in Sample())
        {
            var r = read[t.Name];
            Assert.Equal(t.DType, r.DType);
            Assert.Equal(t.Shape, r.Shape);
            if (t.DType == TensorDType.F64) Assert.Equal(t.Doubles, r.Doubles);
            else Assert.Equal(t.Floats, r.Floats);
        }
        Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(read["w1"].Doubles![4]));
        Assert.Equal([0.5, -1.25, float.MaxValue], read["b"].AsDoubles());
        Assert.Equal(3.5, read["w1"].AsMatrix()[0, 2]);
        Assert.Equal(1e300, read["w1"].AsMatrix()[1, 2]);
    }

    [Fact]
    public void WriteOverwritesAndRejectsDuplicateNames()
    {
        string path = dir.File("x.safetensors");
        File.WriteAllText(path, "old");
        SafeTensors.Write(path, [Tensor.F32("z", [1], [2f])]);
        Assert.Equal([2f], SafeTensors.Read(path)["z"].Floats!);
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, [Tensor.F32("z", [1], [2f]), Tensor.F64("z", [1], [1.0])]));
        Assert.Throws<ArgumentException>(() => Tensor.F64("bad", [2, 2], [1.0]));
    }

    /// <summary>A file with the given header text (padded) and data bytes.</summary>
    private string Corrupt(string header, int dataBytes, string name = "bad.safetensors")
    {
        while (header.Length % 8 != 0) header += " ";
        var bytes = new List<byte>(BitConverter.GetBytes((ulong)header.Length));
        bytes.AddRange(Encoding.UTF8.GetBytes(header));
        bytes.AddRange(new byte[dataBytes]);
        string path = dir.File(name);
        File.WriteAllBytes(path, bytes.ToArray());
        return path;
    }

    private static string ReadFails(string path) => Assert.Throws<InvalidDataException>(() => SafeTensors.Read(path)).Message;

    [Fact]
    public void RejectsTruncatedAndImpossibleHeaderLengths()
    {
        string path = dir.File("short.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Equal($"{path}: file has 3 bytes, too short for the 8-byte header length", ReadFails(path));

        File.WriteAllBytes(path, TinyFile[..40]);
        Assert.Equal($"{path}: header length 56 is impossible for a file of 40 bytes", ReadFails(path));
    }

    [Fact]
    public void RejectsInvalidJson()
    {
        string path = Corrupt("{\"a\":{\"dtype\":", 0);
        Assert.StartsWith($"{path}: header is not valid JSON", ReadFails(path));
    }

    [Fact]
    public void RejectsUnsupportedDtypeNamingIt()
    {
        string path = Corrupt("{\"w\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4);
        Assert.Equal($"{path}: tensor \"w\": dtype BF16 is not supported (only F64 and F32)", ReadFails(path));
    }

    [Fact]
    public void RejectsOffsetsThatDisagreeWithShape()
    {
        string path = Corrupt("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,8]}}", 8);
        Assert.Equal($"{path}: tensor \"w\": data_offsets [0, 8] hold 8 bytes, shape [2, 2] of F32 needs 16", ReadFails(path));
    }

    [Fact]
    public void RejectsOffsetsPastTheEnd()
    {
        string path = Corrupt("{\"w\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}", 8);
        Assert.Equal($"{path}: tensor \"w\": data_offsets [0, 16] go past the end of the 8-byte data buffer", ReadFails(path));
    }

    [Fact]
    public void RejectsGapsAndBadShapes()
    {
        string gap = Corrupt("{\"u\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"v\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12, "gap.st");
        Assert.StartsWith($"{gap}: tensor \"v\": data_offsets begin at 8, expected 4", ReadFails(gap));

        string neg = Corrupt("{\"u\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4, "neg.st");
        Assert.Equal($"{neg}: tensor \"u\": shape entry -1 is not a non-negative integer", ReadFails(neg));

        string meta = Corrupt("{\"__metadata__\":{\"k\":3}}", 0, "meta.st");
        Assert.Equal($"{meta}: __metadata__: value of \"k\" is not a string", ReadFails(meta));
    }

    [Fact]
    public void PythonReadsOurFile()
    {
        // An independent reader: python's json + struct only (numpy is not needed).
        string path = dir.File("py.safetensors");
        SafeTensors.Write(path, [Tensor.F64("x", [2, 2], [1, 2, 3, -4.5]), Tensor.F32("y", [3], [0.25f, -8f, 1.5f])],
            new Dictionary<string, string> { ["k"] = "v" });
        const string script = """
            import json, struct, sys
            b = open(sys.argv[1], 'rb').read()
            (n,) = struct.unpack('<Q', b[:8])
            assert (8 + n) % 8 == 0
            h = json.loads(b[8:8 + n])
            out = [h['__metadata__']['k']]
            for name in ['x', 'y']:
                t = h[name]
                s, e = t['data_offsets']
                fmt = {'F64': 'd', 'F32': 'f'}[t['dtype']]
                vals = struct.unpack('<%d%s' % ((e - s) // struct.calcsize(fmt), fmt), b[8 + n + s:8 + n + e])
                out.append('%s %s %s %s' % (name, t['dtype'], t['shape'], list(vals)))
            print('|'.join(out))
            """;
        string scriptPath = dir.Write("check.py", script);
        ProcessStartInfo psi;
        try
        {
            psi = new ProcessStartInfo("python3", [scriptPath, path]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var probe = Process.Start(psi)!;
            string stdout = probe.StandardOutput.ReadToEnd(), stderr = probe.StandardError.ReadToEnd();
            probe.WaitForExit();
            Assert.True(probe.ExitCode == 0, stderr);
            Assert.Equal("v|x F64 [2, 2] [1.0, 2.0, 3.0, -4.5]|y F32 [3] [0.25, -8.0, 1.5]", stdout.Trim());
        }
        catch (System.ComponentModel.Win32Exception)
        {
            output.WriteLine("skipped: python3 is not installed, so the file was not checked by an independent reader");
        }
    }
}
