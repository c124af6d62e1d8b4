using Overparam.Experiments.Sweeps;

namespace Overparam.Tests.Sweeps;

public class SweepSpecTests
{
    private const string Good = """
        base: { architecture: fc, n: 8, d: 4, lr: 0.1 }
        grid:
          depth: [1, 2]
          width: [16, 32, 64]
        seeds: 2
        steps: 50
        """;

    [Fact]
    public void GridExpandsInDeterministicOrderWithDistinctKeys()
    {
        var spec = SweepSpec.Parse(SpecDocument.ParseYaml(Good, "good.yaml"), "good.yaml");
        var cells = spec.Resolve();
        Assert.Equal(12, cells.Count);
        Assert.Equal(Enumerable.Range(0, 12), cells.Select(c => c.Index));
        Assert.Equal(12, cells.Select(c => c.Key).Distinct().Count());
        Assert.All(cells, c => Assert.Equal(16, c.Key.Length));
        // first grid field outermost, seeds innermost
        Assert.Equal((1, 16, 1UL), (cells[0].Spec.Depth, cells[0].Spec.Width, cells[0].Spec.Seed));
        Assert.Equal((1, 16, 2UL), (cells[1].Spec.Depth, cells[1].Spec.Width, cells[1].Spec.Seed));
        Assert.Equal((2, 64, 2UL), (cells[11].Spec.Depth, cells[11].Spec.Width, cells[11].Spec.Seed));
        Assert.All(cells, c => Assert.Equal(50, c.Spec.Steps));

        // the same sweep written as JSON has the same cells and hash
        var json = SweepSpec.Parse(SpecDocument.ParseJson(
            """{"base":{"architecture":"fc","n":8,"d":4,"lr":0.1},"grid":{"depth":[1,2],"width":[16,32,64],"seed":[1,2]},"steps":50}""", "j"), "j");
        Assert.Equal(spec.Hash(), json.Hash());
        // and the normalized form stored in a sweep folder reads back to the same sweep
        Assert.Equal(spec.Hash(), SweepSpec.Parse(SpecDocument.ParseJson(spec.ToJson(), "n"), "n").Hash());
    }

    [Fact]
    public void MalformedSpecListsEveryProblemWithItsPath()
    {
        const string bad = """
            base: { architecture: mlp, n: 0, widht: 4, lr: -1 }
            grid:
              width: [16, 32, "abc"]
              depth: []
              activation: [softplus, foo]
            cells: [ { c_res: yes } ]
            steps: -1
            extra: 1
            """;
        var e = Assert.Throws<SweepSpecException>(() => SweepSpec.Parse(SpecDocument.ParseYaml(bad, "bad.yaml"), "bad.yaml"));
        string[] expected =
        [
            "extra: unknown top-level field",
            $"base.architecture: expected one of {string.Join(", ", Overparam.Experiments.Choices.Architectures)}, got \"mlp\"",
            "base.n: expected a positive integer, got 0",
            "base.widht: unknown field (did you mean \"width\"?)",
            "base.lr: expected a positive number, got -1",
            "steps: expected a non-negative integer, got -1",
            "grid.width[2]: expected a positive integer, got \"abc\"",
            "grid.depth: empty list",
            "grid.activation[1]: expected one of",
            "cells[0].c_res: expected a positive number",
        ];
        foreach (var line in expected) Assert.Contains(e.Problems, p => p.StartsWith(line, StringComparison.Ordinal));
        Assert.Equal(expected.Length, e.Problems.Count);
    }

    [Fact]
    public void CliExitsWithCode2AndPrintsEveryProblem()
    {
        using var dir = new TempDirectory();
        dir.Write("bad.json", """{"base": {"depth": 0, "activation": "relu6"}, "grid": {"width": [8, 0]}, "bogus": true}""");
        dir.Write("broken.yaml", "base: { depth: [1, 2\n");
        var (exit, _, err) = CliProcess.Run(dir.Path, "sweep", "bad.json", "--out", "o");
        Assert.Equal(2, exit);
        Assert.Contains("bad.json: 4 problems", err);
        Assert.Contains("base.depth: expected a positive integer, got 0", err);
        Assert.Contains("base.activation: expected one of", err);
        Assert.Contains("grid.width[1]: expected a positive integer, got 0", err);
        Assert.Contains("bogus: unknown top-level field", err);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "o")));

        (exit, _, err) = CliProcess.Run(dir.Path, "sweep", "broken.yaml");
        Assert.Equal(2, exit);
        Assert.Contains("invalid YAML at line", err);
        (exit, _, err) = CliProcess.Run(dir.Path, "sweep", "missing.yaml");
        Assert.Equal(2, exit);
        Assert.Contains("missing.yaml: 1 problem", err);
    }
}
