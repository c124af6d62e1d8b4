namespace Overparam.Cli;

/// <summary>One line that says what went wrong, for an exception nobody turned into a message of its own.</summary>
public static class FailureText
{
    private const int NoSpaceLeft = 28; // ENOSPC

    public static string OneLine(Exception e)
    {
        var root = e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0] : e;
        string text = root switch
        {
            IOException io when (io.HResult & 0xFFFF) == NoSpaceLeft || io.Message.Contains("No space left on device", StringComparison.Ordinal) =>
                $"the disk is full: {io.Message}. Files written atomically (config.json, summary.json, the .safetensors files) keep their last complete version",
            OutOfMemoryException => "out of memory: the computation needs more memory than this machine has available",
            _ => $"{root.Message} ({root.GetType().Name})",
        };
        return string.Join("; ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
