using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Overparam.Cli.Commands;

namespace Overparam.Cli;

public static class Program
{
    /// <summary>The command's name in every usage line, however it is started (installed tool, dotnet run, the dll, tests).</summary>
    public const string Name = "overparam";

    /// <summary>The option that adds the stack trace to the one-line message of an unexpected error.</summary>
    public const string VerboseName = "--verbose";

    /// <summary>
    /// Parses and runs a command. Exit codes: 0 ok, 1 a run or computation failed, 2 bad input. Parse errors (unknown
    /// options, unparsable values) are bad input: the parser's message and exit 2. Bad input a command finds is exit 2 from
    /// <see cref="CommonOptions.Guard"/>. Any other exception ends here, as one line on standard error and exit 1, with the
    /// stack trace only under --verbose.
    /// </summary>
    public static int Main(string[] args) => Run(Root(), args);

    /// <summary><see cref="Main"/> over any command tree (the tests give it commands that fail on purpose).</summary>
    public static int Run(Command root, string[] args)
    {
        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction errors)
        {
            errors.ShowHelp = false;
            errors.Invoke(parse);
            Console.Error.WriteLine($"(see `{string.Join(" ", CommandPath(parse.CommandResult))} --help`)");
            return 2;
        }
        try { return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }); }
        catch (Exception e)
        {
            Console.Error.WriteLine("error: " + FailureText.OneLine(e));
            if (args.Contains(VerboseName)) Console.Error.WriteLine(e);
            else Console.Error.WriteLine($"(run again with {VerboseName} for the stack trace)");
            return 1;
        }
    }

    private static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult? c) =>
        c is null ? [] : CommandPath(c.Parent as System.CommandLine.Parsing.CommandResult).Append(c.Command.Name);

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
        root.Options.Add(new Option<bool>(VerboseName) { Description = "On an unexpected error, print the stack trace too", Recursive = true });
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
