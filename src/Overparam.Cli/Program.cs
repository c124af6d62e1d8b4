using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Overparam.Cli.Commands;

namespace Overparam.Cli;

public static class Program
{
    /// <summary>The command's name in every usage line, however it is started (installed tool, dotnet run, the dll, tests).</summary>
    public const string Name = "overparam";

    public static int Main(string[] args) => Root().Parse(args).Invoke();

    /// <summary>
    /// The command tree. The root is a plain <see cref="Command"/> named <see cref="Name"/>: System.CommandLine's
    /// RootCommand takes its name from the executable (Overparam.Cli, or testhost in the tests) and cannot be renamed;
    /// it adds the help and version options, added here by hand (its [suggest] directive is not needed).
    /// </summary>
    public static Command Root()
    {
        var root = new Command(Name, "overparam: gradient descent on over-parameterized deep networks (Du, Lee, Li, Wang, Zhai, ICML 2019)");
        var help = new HelpOption();
        help.Action = new SubcommandHelp((SynchronousCommandLineAction)help.Action!);
        root.Options.Add(help);
        root.Options.Add(new VersionOption());
        foreach (var command in CommandRegistry.All()) root.Subcommands.Add(command);
        return root;
    }

    /// <summary>
    /// Help that leaves out the arguments of the commands above the one asked about: `sweep SPEC` has subcommands
    /// (`sweep status DIR`, …) that take no SPEC, but the built-in help writes every ancestor's arguments into the
    /// usage line and the argument list ("sweep &lt;SPEC&gt; status &lt;DIR&gt;"). Hidden arguments are skipped, so they are
    /// hidden while the help is written.
    /// </summary>
    private sealed class SubcommandHelp(SynchronousCommandLineAction inner) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => inner.ClearsParseErrors;

        public override int Invoke(ParseResult parseResult)
        {
            var hidden = new List<Argument>();
            for (var c = parseResult.CommandResult.Parent as System.CommandLine.Parsing.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult)
                foreach (var a in c.Command.Arguments.Where(a => !a.Hidden)) { a.Hidden = true; hidden.Add(a); }
            try { return inner.Invoke(parseResult); }
            finally { foreach (var a in hidden) a.Hidden = false; }
        }
    }
}
