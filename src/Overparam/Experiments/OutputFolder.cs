namespace Overparam.Experiments;

/// <summary>
/// Creates the folder an option names for output, or says why it cannot be: an empty name, a path through a regular
/// file, a location that cannot be created or written (permissions, a read-only or special file system); and claims
/// it for one writer. Creating a directory is not exclusive (two processes both "create" it), so the claim is the
/// folder's first file, created with <see cref="FileMode.CreateNew"/>: exactly one process can create it, every other is
/// refused (or, for a default name, moves on to NAME-2, NAME-3, …). The claiming file starts empty and is then written
/// in full (atomically) by its owner.
/// </summary>
public static class OutputFolder
{
    /// <summary>Most suffixes tried for a default name before giving up.</summary>
    private const int MaxSuffix = 1000;

    /// <summary>
    /// Claims <paramref name="path"/> by creating <c>path/claimFile</c> exclusively and returns the folder claimed.
    /// With <paramref name="defaultName"/> (the user gave no --out) a taken name is followed by the first free
    /// path-2, path-3, …; otherwise a taken folder is a <see cref="RunSpecException"/> naming <paramref name="option"/>.
    /// </summary>
    public static string Claim(string path, string claimFile, bool defaultName, string option, string holds)
    {
        for (int i = 1; i <= MaxSuffix; i++)
        {
            string candidate = i == 1 ? path : $"{path}-{i}";
            if (File.Exists(candidate))
            {
                if (defaultName) continue;
                throw new RunSpecException($"{option} {candidate}: is a file, not a folder");
            }
            Create(option, candidate);
            try
            {
                new FileStream(Path.Combine(candidate, claimFile), FileMode.CreateNew, FileAccess.Write).Dispose();
                return candidate;
            }
            catch (IOException) when (File.Exists(Path.Combine(candidate, claimFile)))
            {
                if (!defaultName)
                    throw new RunSpecException($"{option} {candidate}: already holds {holds} ({claimFile}), or another process is writing one there; choose another folder or remove it");
            }
        }
        throw new RunSpecException($"{option}: {path} and {path}-2 … {path}-{MaxSuffix} are all taken; give --out");
    }

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
