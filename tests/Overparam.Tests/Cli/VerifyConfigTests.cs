using Overparam.Experiments;
using Overparam.Experiments.Verify;

namespace Overparam.Tests.Cli;

/// <summary>`verify --config FILE`: what a bad study file says.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class VerifyConfigTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    [Fact]
    public void Keys_AreTheStudysFieldsInSnakeCase()
    {
        foreach (var key in new[] { "name", "architectures", "depths", "widths", "seeds", "c_res", "probe_every", "lr_policy", "lr_constant", "target_loss", "data_seed" })
            Assert.Contains(key, Study.Keys);
        Assert.All(Study.Keys, k => Assert.Equal(k.ToLowerInvariant(), k));
    }

    [Fact]
    public void UnknownKey_ListsTheValidKeys_WithTheClosestOne()
    {
        var path = tmp.Write("study.json", """{ "widht": [64], "depths": [2], "bogus_key": 1 }""");
        var e = Assert.Throws<RunSpecException>(() => Study.Load(path));
        Assert.Contains("unknown key \"widht\" (did you mean \"widths\"?)", e.Message);
        Assert.Contains("unknown key \"bogus_key\"", e.Message);
        Assert.Contains("the keys of a study are " + string.Join(", ", Study.Keys), e.Message);
        Assert.DoesNotContain("could not be mapped", e.Message);
        Assert.DoesNotContain("Overparam.Experiments", e.Message);
    }

    [Fact]
    public void UnknownKey_OnTheCommandLine_IsExit2WithTheValidKeys()
    {
        var path = tmp.Write("study.json", """{ "width": [64] }""");
        var r = CliHarness.Run("verify", "--config", path, "--out", tmp.File("report"), "--quiet");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("unknown key \"width\" (did you mean \"widths\"?)", r.Err);
        Assert.Contains("widths, seeds, n, d, activation", r.Err);
        Assert.False(Directory.Exists(tmp.File("report")));
    }

    [Fact]
    public void KnownKeys_StillLoad_AndBadJsonStillSaysWhere()
    {
        var ok = Study.Load(tmp.Write("ok.json", """{ "name": "mine", "widths": [16, 32], "seeds": 1, "activation": "tanh" }"""));
        Assert.Equal("mine", ok.Name);
        Assert.Equal([16, 32], ok.Widths);
        var bad = Assert.Throws<RunSpecException>(() => Study.Load(tmp.Write("bad.json", """{ "widths": [16, }""")));
        Assert.Contains("bad.json", bad.Message);
        var wrongType = Assert.Throws<RunSpecException>(() => Study.Load(tmp.Write("type.json", """{ "widths": "many" }""")));
        Assert.Contains("type.json", wrongType.Message);
    }

    [Fact]
    public void ConfigHelp_NamesEveryKey()
    {
        var r = CliHarness.Run("verify", "--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var key in Study.Keys) Assert.Contains(key, r.Out);
        Assert.Contains("docs/formats.md", r.Out);
    }
}
