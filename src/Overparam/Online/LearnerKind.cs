namespace Overparam.Online;

/// <summary>How a learner moves the incoming weights U (docs/mathematics.md, "Crossprop").</summary>
public enum IncomingRule
{
    /// <summary>Backprop: the gradient ∂L/∂u_ij = d_j x_i, through an optimizer.</summary>
    Backprop,
    /// <summary>Crossprop with the full traces H[k, i, j] ≈ ∂w_jk/∂u_ij (one per incoming weight and output), λ-mixed with backprop.</summary>
    Crossprop,
    /// <summary>The cheaper crossprop of the authors' CrossPropAlt: one trace h_jk per hidden unit and output, λ-mixed with backprop.</summary>
    CrosspropAlt,
}

/// <summary>
/// A registered online learner: its name (the `--learners` value), the rule for U, whether λ is the user's (the "-lambda"
/// variants; otherwise 0), and for backprop the optimizer that applies the gradient of U and W.
/// </summary>
/// <param name="Optimizer">bp's optimizer: sgd (μ = <paramref name="Momentum"/>), adam or rmsprop; crossprop steps W and U by plain SGD (LMS).</param>
public sealed record LearnerKind(string Name, IncomingRule Rule, bool UsesLambda, string Optimizer, double Momentum, string Description)
{
    /// <summary>The learners, in the order the authors' scripts list them.</summary>
    public static readonly IReadOnlyList<LearnerKind> All =
    [
        new("cp", IncomingRule.Crossprop, false, "sgd", 0, "crossprop (λ = 0): W by LMS, U along the traces H"),
        new("cp-lambda", IncomingRule.Crossprop, true, "sgd", 0, "crossprop mixed with backprop by --lambda (λ = 1 is backprop)"),
        new("cp-alt", IncomingRule.CrosspropAlt, false, "sgd", 0, "the authors' CrossPropAlt: one trace per hidden unit and output"),
        new("cp-alt-lambda", IncomingRule.CrosspropAlt, true, "sgd", 0, "CrossPropAlt mixed with backprop by --lambda"),
        new("bp", IncomingRule.Backprop, false, "sgd", 0, "backprop, plain SGD at --alpha"),
        new("bp-momentum", IncomingRule.Backprop, false, "sgd", 0.9, "backprop, PyTorch's SGD with momentum 0.9"),
        new("bp-adam", IncomingRule.Backprop, false, "adam", 0, "backprop, PyTorch's Adam at --alpha"),
        new("bp-rmsprop", IncomingRule.Backprop, false, "rmsprop", 0, "backprop, PyTorch's RMSprop at --alpha"),
    ];

    public static IEnumerable<string> Names => All.Select(k => k.Name);

    /// <summary>The learner by name (case-insensitive), or null.</summary>
    public static LearnerKind? TryParse(string name) => All.FirstOrDefault(k => k.Name.Equals(name.Trim(), StringComparison.OrdinalIgnoreCase));

    public override string ToString() => Name;
}
