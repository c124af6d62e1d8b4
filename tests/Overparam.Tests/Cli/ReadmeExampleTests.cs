using System.Diagnostics;

namespace Overparam.Tests.Cli;

/// <summary>The C# example in README.md compiles against the library and runs to convergence.</summary>
[Trait("Category", "Slow")]
public sealed class ReadmeExampleTests : IDisposable
{
    private const string Marker = "// README example: compiled and run by the test suite (ReadmeExampleTests).";
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "README.md")) && File.Exists(Path.Combine(d.FullName, "src", "Overparam", "Overparam.csproj")))
                return d.FullName;
        throw new InvalidOperationException("README.md not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The lines after the marker up to the closing code fence.</summary>
    internal static string ExtractExample(string readme)
    {
        var lines = readme.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        int start = lines.FindIndex(l => l.Trim() == Marker);
        Assert.True(start >= 0, "README has no example marker");
        int end = lines.FindIndex(start + 1, l => l.TrimStart().StartsWith("```"));
        Assert.True(end > start, "README example has no closing fence");
        return string.Join("\n", lines.Skip(start + 1).Take(end - start - 1)) + "\n";
    }

    [Fact]
    public void ReadmeExample_CompilesAndConverges()
    {
        string root = RepositoryRoot();
        string code = ExtractExample(File.ReadAllText(Path.Combine(root, "README.md")));
        Assert.Contains("TrainingLoop.Run", code);

        string project = tmp.File("readme-example");
        Directory.CreateDirectory(project);
        File.WriteAllText(Path.Combine(project, "Program.cs"), code);
        string library = Path.Combine(root, "src", "Overparam", "Overparam.csproj");
        File.WriteAllText(Path.Combine(project, "ReadmeExample.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{library}" />
              </ItemGroup>
            </Project>
            """);

        // Build first, then `dotnet run --no-build`: a plain `dotnet run` prints the build's warnings on stdout
        // before the program's output.
        var build = Dotnet(project, "build", "-c", "Release", "-nologo");
        Assert.True(build.ExitCode == 0, $"build failed (exit {build.ExitCode})\n{build.Out}\n{build.Err}");
        var (exitCode, output, errors) = Dotnet(project, "run", "-c", "Release", "--no-build");
        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{errors}");
        Assert.StartsWith("Converged", output);
    }

    private static (int ExitCode, string Out, string Err) Dotnet(string dir, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {string.Join(" ", args)} did not finish in 5 minutes");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
