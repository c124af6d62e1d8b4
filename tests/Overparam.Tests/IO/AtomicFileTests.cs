using Overparam.IO;

namespace Overparam.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void WritesAndOverwritesWithoutLeavingTheTempFile()
    {
        string path = dir.File("summary.json");
        AtomicFile.WriteAllText(path, "{\"λ₀\": 1}");
        Assert.Equal([(byte)'{', (byte)'"', 0xCE, 0xBB], File.ReadAllBytes(path)[..4]); // UTF-8, no BOM
        AtomicFile.WriteAllText(path, "second");
        Assert.Equal("second", File.ReadAllText(path));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void FailedWriteKeepsTheOldFileAndRemovesTheTempFile()
    {
        string path = dir.File("config.json");
        AtomicFile.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.WriteByte((byte)'n');
            throw new InvalidOperationException("boom");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void WriteAllBytesWritesBytes()
    {
        string path = dir.File("b.bin");
        AtomicFile.WriteAllBytes(path, [1, 2, 3]);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
    }
}
