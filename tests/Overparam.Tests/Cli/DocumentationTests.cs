using System.Text.RegularExpressions;
using Overparam.Experiments.Sweeps;
using Overparam.Experiments.Verify;

namespace Overparam.Tests.Cli;

/// <summary>
/// Every reference a cloner meets resolves inside the repository: README's links to docs/, the anchors they name, the
/// "docs/mathematics.md §N" references of the code, help texts and reports; and docs/formats.md lists every key the
/// study and sweep files accept.
/// </summary>
public sealed partial class DocumentationTests
{
    private static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "README.md")) && File.Exists(Path.Combine(d.FullName, "src", "Overparam", "Overparam.csproj")))
                return d.FullName;
        throw new InvalidOperationException("README.md not found above " + AppContext.BaseDirectory);
    }

    private static string Read(string relative) => File.ReadAllText(Path.Combine(Root(), relative));

    /// <summary>The anchors a markdown file defines with &lt;a id="…"&gt;.</summary>
    private static HashSet<string> Anchors(string relative) =>
        AnchorId().Matches(Read(relative)).Select(m => m.Groups[1].Value).ToHashSet();

    /// <summary>The text files a cloner reads or runs: src/ (code, help texts, report texts), README.md, bench/README.md.</summary>
    private static IEnumerable<string> SourceAndReadmes()
    {
        string root = Root();
        foreach (var f in Directory.EnumerateFiles(Path.Combine(root, "src"), "*", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
                     .Where(f => f.EndsWith(".cs") || f.EndsWith(".csproj") || f.EndsWith(".md")))
            yield return Path.GetRelativePath(root, f);
        yield return "README.md";
        yield return Path.Combine("bench", "README.md");
    }

    [Fact]
    public void EveryDocsLinkOfTheReadme_ResolvesToAFileAndAnAnchor()
    {
        string readme = Read("README.md");
        var links = DocsPath().Matches(readme).Select(m => (File: m.Groups[1].Value, Anchor: m.Groups[2].Success ? m.Groups[2].Value : null)).ToList();
        Assert.Contains(links, l => l.File == "docs/mathematics.md");
        Assert.Contains(links, l => l.File == "docs/formats.md");
        foreach (var (file, anchor) in links)
        {
            Assert.True(File.Exists(Path.Combine(Root(), file)), $"README links {file}, which does not exist");
            if (anchor is not null) Assert.True(Anchors(file).Contains(anchor), $"README links {file}#{anchor}: no such anchor");
        }
    }

    [Fact]
    public void LinksBetweenTheDocs_Resolve()
    {
        foreach (var doc in new[] { "docs/mathematics.md", "docs/formats.md" })
            foreach (Match m in RelativeLink().Matches(Read(doc)))
            {
                string target = m.Groups[1].Value.Length == 0 ? doc : "docs/" + m.Groups[1].Value;
                Assert.True(File.Exists(Path.Combine(Root(), target)), $"{doc} links {target}, which does not exist");
                if (m.Groups[2].Success) Assert.True(Anchors(target).Contains(m.Groups[2].Value), $"{doc} links {target}#{m.Groups[2].Value}: no such anchor");
            }
    }

    [Fact]
    public void NoFileInSrcOrTheReadmes_PointsOutsideTheRepository()
    {
        foreach (var f in SourceAndReadmes())
        {
            string text = Read(f);
            Assert.False(text.Contains("shared/spec"), $"{f} mentions shared/spec, which a clone does not contain");
            Assert.False(OldSpecReference().IsMatch(text), $"{f} cites the spec (\"{OldSpecReference().Match(text).Value}\"); cite docs/mathematics.md §N");
        }
    }

    [Fact]
    public void EverySectionReference_NamesASectionOfMathematicsMd()
    {
        var anchors = Anchors("docs/mathematics.md");
        var files = SourceAndReadmes().Concat(Directory.EnumerateFiles(Path.Combine(Root(), "tests", "Overparam.Tests"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")).Select(f => Path.GetRelativePath(Root(), f)));
        int references = 0;
        foreach (var f in files)
            foreach (var line in Read(f).Split('\n').Where(l => l.Contains("docs/mathematics.md §")))
                foreach (Match m in Section().Matches(line[line.IndexOf("docs/mathematics.md §", StringComparison.Ordinal)..]))
                {
                    references++;
                    string anchor = "s" + m.Groups[1].Value.Replace('.', '-');
                    Assert.True(anchors.Contains(anchor), $"{f}: \"{line.Trim()}\" cites §{m.Groups[1].Value}, but docs/mathematics.md has no <a id=\"{anchor}\">");
                }
        Assert.True(references > 50, $"only {references} references found");
    }

    [Fact]
    public void FormatsMd_ListsEveryStudyKeyAndEverySweepField()
    {
        string formats = Read("docs/formats.md");
        string study = formats[formats.IndexOf("<a id=\"verify-config\">", StringComparison.Ordinal)..formats.IndexOf("<a id=\"sweep-spec\">", StringComparison.Ordinal)];
        foreach (var key in Study.Keys) Assert.True(study.Contains($"| `{key}` |"), $"docs/formats.md §6 has no row for the study key {key}");
        foreach (var key in PracticalSizesConfig.Keys)
            Assert.True(study.Contains($"| `{key}` |"), $"docs/formats.md §6 has no row for the practical-sizes study key {key}");
        string sweep = formats[formats.IndexOf("<a id=\"sweep-spec\">", StringComparison.Ordinal)..];
        foreach (var field in RunSpecFields.Names) Assert.True(sweep.Contains($"`{field}`"), $"docs/formats.md §7 does not list the run field {field}");
    }

    [GeneratedRegex("<a id=\"([^\"]+)\"></a>")]
    private static partial Regex AnchorId();

    [GeneratedRegex(@"(docs/[A-Za-z0-9_./-]+\.md)(?:#([A-Za-z0-9_-]+))?")]
    private static partial Regex DocsPath();

    // Markdown links to another doc in docs/ or to an anchor of the same one: (formats.md#csv), (#s4).
    [GeneratedRegex(@"\]\(([A-Za-z0-9_-]*\.md|)(?:#([A-Za-z0-9_-]+))?\)")]
    private static partial Regex RelativeLink();

    [GeneratedRegex(@"\b[Ss]pec (§|eq\.?)|\bthe spec\b \(§")]
    private static partial Regex OldSpecReference();

    [GeneratedRegex(@"§(\d+(?:\.\d+)?)")]
    private static partial Regex Section();
}
