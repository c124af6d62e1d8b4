namespace Overparam.Tests.Reports;

/// <summary>A fresh temporary folder, deleted on dispose unless OVERPARAM_KEEP_TEST_OUTPUT is set.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "overparam-reports-")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Path { get; }

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("OVERPARAM_KEEP_TEST_OUTPUT") is not null) return;
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
