using System.Collections;

namespace Overparam.Reports;

/// <summary>The claims of the paper checked by a study, in the order they are reported.</summary>
public sealed class ClaimTable : IReadOnlyList<Claim>
{
    private readonly List<Claim> claims = [];

    public ClaimTable() { }

    public ClaimTable(IEnumerable<Claim> claims) => this.claims.AddRange(claims);

    /// <summary>Adds a claim row.</summary>
    public ClaimTable Add(Claim claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        claims.Add(claim);
        return this;
    }

    /// <summary>Adds a claim row whose measurement and verdict come from a check in <see cref="Verdicts"/>.</summary>
    public ClaimTable Add(string text, VerdictResult result) => Add(Claim.From(text, result));

    /// <summary>Number of claims with the given verdict.</summary>
    public int CountOf(Verdict verdict) => claims.Count(c => c.Verdict == verdict);

    public Claim this[int index] => claims[index];

    public int Count => claims.Count;

    public IEnumerator<Claim> GetEnumerator() => claims.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
