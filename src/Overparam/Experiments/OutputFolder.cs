namespace Overparam.Experiments;

/// <summary>
/// Creates the folder an option names for output, or says why it cannot be: an empty name, a path through a regular
/// file, a location that cannot be created or written (permissions, a read-only or special file system).
/// </summary>
public static class OutputFolder
{
    /// <summary>Creates <paramref name="path"/> (and its parents) and checks that a file can be written in it.</summary>
    public static void Create(string option, string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new RunSpecException($"{option} \"{path}\": empty path; name a folder");
        if (File.Exists(path)) throw new RunSpecException($"{option} {path}: is a file, not a folder");
        if (FileOnTheWay(path) is { } file) throw new RunSpecException($"{option} {path}: {file} is a file, so no folder can be made under it");
        try
        {
            Directory.CreateDirectory(path);
            using var probe = new FileStream(Path.Combine(path, $".write-check-{Environment.ProcessId}"), FileMode.CreateNew,
                FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunSpecException($"{option} {path}: cannot create or write the folder ({e.Message})", e);
        }
    }

    /// <summary>The first ancestor of <paramref name="path"/> that is a regular file, if any.</summary>
    private static string? FileOnTheWay(string path)
    {
        for (string? p = Path.GetDirectoryName(Path.GetFullPath(path)); !string.IsNullOrEmpty(p); p = Path.GetDirectoryName(p))
            if (File.Exists(p)) return p;
        return null;
    }
}
