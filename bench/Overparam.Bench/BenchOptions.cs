namespace Overparam.Bench;

/// <summary>Command-line options: --threads N, --quick, --only a,b (case names or group prefixes), --rounds N, --steps N,
/// --out PATH, --python PATH, --no-torch, --list.</summary>
public sealed class BenchOptions
{
    public int Threads { get; set; } = 2;
    public bool Quick { get; set; }
    public HashSet<string> Only { get; } = new(StringComparer.OrdinalIgnoreCase);
    public int? Rounds { get; set; }
    public int? Steps { get; set; }
    public string? Output { get; set; }
    public string? Python { get; set; }
    public bool NoTorch { get; set; }
    public bool List { get; set; }

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--threads": o.Threads = int.Parse(Next()); break;
                case "--quick": o.Quick = true; break;
                case "--only":
                    foreach (var s in Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) o.Only.Add(s);
                    break;
                case "--rounds": o.Rounds = int.Parse(Next()); break;
                case "--steps": o.Steps = int.Parse(Next()); break;
                case "--out": o.Output = Next(); break;
                case "--python": o.Python = Next(); break;
                case "--no-torch": o.NoTorch = true; break;
                case "--list": o.List = true; break;
                case "-h" or "--help":
                    Console.WriteLine("""
                        usage: Overparam.Bench [--threads N] [--quick] [--only fc,resnet,gram,torch,conv,peak,...]
                                               [--rounds N] [--steps N] [--out results.json] [--python PATH] [--no-torch] [--list]
                        """);
                    Environment.Exit(0);
                    break;
                default: throw new ArgumentException($"unknown option {args[i]} (try --help)");
            }
        }
        if (o.Threads < 1) throw new ArgumentException("--threads must be at least 1");
        return o;
    }
}
