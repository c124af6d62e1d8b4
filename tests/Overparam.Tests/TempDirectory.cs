namespace Overparam.Tests;

/// <summary>A fresh directory under the system temp folder, deleted on dispose unless OVERPARAM_KEEP_TEST_OUTPUT is set.</summary>
public sealed class TempDirectory(string prefix = "overparam-test-") : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes <paramref name="content"/> to a file in the directory and returns its path.</summary>
    public string Write(string name, string content)
    {
        string p = File(name);
        System.IO.File.WriteAllText(p, content);
        return p;
    }

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("OVERPARAM_KEEP_TEST_OUTPUT") is not null) return;
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
