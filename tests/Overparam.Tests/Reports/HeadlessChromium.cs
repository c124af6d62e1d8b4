using System.Diagnostics;

namespace Overparam.Tests.Reports;

/// <summary>
/// Runs Debian's headless Chromium (/usr/bin/chromium, or $OVERPARAM_CHROMIUM) with a fresh profile, no network
/// services and a hard timeout. A missing browser fails the test: CI installs it, so a skip would hide a gap.
/// </summary>
internal static class HeadlessChromium
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static string BrowserPath => Environment.GetEnvironmentVariable("OVERPARAM_CHROMIUM") ?? "/usr/bin/chromium";

    /// <summary>Runs Chromium on <paramref name="url"/> with extra arguments; returns its standard output.</summary>
    public static string Run(string url, params string[] extraArgs)
    {
        if (!File.Exists(BrowserPath))
            Assert.Fail($"Chromium not found at {BrowserPath}. The report tests need it: run `apt-get install chromium` (CI installs it).");

        using var profile = new TempDirectory("overparam-chromium-profile-");
        var psi = new ProcessStartInfo(BrowserPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", $"--user-data-dir={profile.Path}", "--virtual-time-budget=5000",
        }) psi.ArgumentList.Add(arg);
        foreach (var arg in extraArgs) psi.ArgumentList.Add(arg);
        psi.ArgumentList.Add(url);

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"Chromium did not finish within {Timeout.TotalSeconds} s and was killed.");
        }
        process.WaitForExit(); // drain the output streams
        string output = stdout.Result;
        if (process.ExitCode != 0)
            Assert.Fail($"Chromium exited with code {process.ExitCode}: {stderr.Result}");
        return output;
    }
}
