using System.Globalization;

namespace KamaChat.Bench;

public sealed record BenchOptions(string Mode, int Clients, int Senders, int Rate, int Seconds, int Connections)
{
    /// <summary>idle: connections held when --connections is not given (connect opens 1,000 then).</summary>
    public const int DefaultConnections = 20_000;

    /// <summary>search, connect: sqlite, postgres or both (--engine or --db).</summary>
    public string Engine { get; init; } = "both";

    /// <summary>search, connect: messages in the seeded history.</summary>
    public int Messages { get; init; } = 1_000_000;

    /// <summary>bigserver: members of the big server.</summary>
    public int Members { get; init; } = 50_000;

    /// <summary>search: queries per class.</summary>
    public int Queries { get; init; } = 200;

    /// <summary>search: queries per class also run as a LIKE scan (slow by nature, so fewer).</summary>
    public int BaselineQueries { get; init; } = 25;

    /// <summary>
    /// search: messages sent through HTTP in each send-throughput run. 5,000 a side: at 1,000 the with ÷ without ratio of
    /// one build swung from 75% to 102% on the shared 2-core machine, more than what the index costs.
    /// </summary>
    public int Sends { get; init; } = 5000;

    /// <summary>search: only the send-throughput part (seed, index, sends), no query classes: for measuring what the index costs a send.</summary>
    public bool SendsOnly { get; init; }

    /// <summary>
    /// search: messages sent to each side before the send throughput is measured (JIT tiering, pools, caches): 3,000, since
    /// at 200 the side measured first was still compiling thousands of methods during its measured sends.
    /// </summary>
    public int Warmup { get; init; } = 3000;

    /// <summary>
    /// search: PostgreSQL's memory settings, "production" (a quarter of the machine's memory as shared buffers, as
    /// PostgreSQL's tuning guidance and deploy/postgresql/kamachat.conf say) or "default" (initdb's 128 MB, the tests' server).
    /// </summary>
    public string PostgresMemory { get; init; } = "production";

    /// <summary>
    /// gateway, connect, bigserver, search: whether the bench's PostgreSQL flushes its log to disk on every commit
    /// (--pg-fsync on, the default: fsync, synchronous commits and full-page writes on, as a production server runs) or
    /// only hands it to the OS (off: the tests' fast server, as the benches ran before; for comparing builds' CPU
    /// without the disk's noise, or figures with earlier sessions').
    /// </summary>
    public bool PostgresFsync { get; init; } = true;

    /// <summary>What a bench's header says of its PostgreSQL's durability.</summary>
    public string PostgresFsyncNote() => PostgresFsync ? "; PostgreSQL fsync on (commits flushed to disk)" : "; PostgreSQL fsync off (commits left in the OS's cache)";

    /// <summary>gateway: sqlite, postgres or both (PostgreSQL: a throwaway server of its own, see <see cref="PostgresFsync"/>).</summary>
    public string Database { get; init; } = "sqlite";

    /// <summary>gateway: channels, each in its own server with <see cref="Clients"/> listeners and its share of the senders.</summary>
    public int Channels { get; init; } = 1;

    /// <summary>idle: connect to a bare SignalR hub (<see cref="BareHubServer"/>) instead of the server, for the floor.</summary>
    public bool Bare { get; init; }

    /// <summary>
    /// idle: servers, each with one text channel, that every bench account is a member of, so that each connection joins
    /// their groups (a server's and a channel's) as a member's does; 0 (the default) for accounts in none.
    /// </summary>
    public int Servers { get; init; }

    /// <summary>gateway: instead of one fixed rate, step the total send rate up and report the highest that keeps p99 within <see cref="TargetP99"/>.</summary>
    public bool Sustained { get; init; }

    /// <summary>gateway --sustained: first total sends/s, the largest to try, seconds per step, and the p99 (ms) a step must keep.</summary>
    public int StartRate { get; init; } = 100;

    public int MaxRate { get; init; } = 4000;

    public int StepSeconds { get; init; } = 5;

    public int TargetP99 { get; init; } = 50;

    /// <summary>gateway: the listeners' SignalR protocol, json or messagepack (the web client's is JSON).</summary>
    public string Protocol { get; init; } = "json";

    /// <summary>
    /// gateway: the listeners, signalr (the SignalR .NET client) or lean (<see cref="LeanListener"/>: JSON by hand, reading
    /// only the stamp, as little work a message as the raw broadcast's clients do).
    /// </summary>
    public string Client { get; init; } = "signalr";

    /// <summary>gateway: clients of the first channel that stop reading after their handshake (and reconnect when closed), besides the listeners.</summary>
    public int Stalled { get; init; }

    /// <summary>An option given a value it does not take: the bench stops and says so.</summary>
    public sealed class UsageException(string message) : Exception(message);

    /// <summary>The first argument that is not an option: gateway when there is none.</summary>
    public static string ModeOf(string[] args) => args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "gateway";

    public static BenchOptions Parse(string[] args)
    {
        var mode = ModeOf(args);
        // A value given but not understood stops the bench: falling back to the default would measure something else
        // than was asked for under the asked-for header (--pg-fsync of, --messages 1e6).
        string Text(string name, string fallback) => Array.IndexOf(args, "--" + name) is var i and >= 0
            ? i + 1 < args.Length ? args[i + 1] : throw new UsageException($"--{name} needs a value.")
            : fallback;
        int Value(string name, int fallback) => Text(name, fallback.ToString(CultureInfo.InvariantCulture)) is var text
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
                ? v
                : throw new UsageException($"--{name} takes a whole number, not '{text}'.");
        string Choice(string name, string fallback, params string[] allowed) => Text(name, fallback) is var text && allowed.Contains(text)
            ? text
            : throw new UsageException($"--{name} takes one of {string.Join(", ", allowed)}, not '{text}'.");
        var engine = Choice(args.Contains("--engine") ? "engine" : "db", "both", "sqlite", "postgres", "both");
        return new BenchOptions(mode, Value("clients", 200), Value("senders", 4), Value("rate", 50), Value("seconds", 15), Value("connections", DefaultConnections))
        {
            Engine = engine,
            Messages = Value("messages", 1_000_000),
            Queries = Value("queries", 200),
            Members = Value("members", 50_000),
            BaselineQueries = Value("baseline-queries", 25),
            Sends = Value("sends", 5000),
            SendsOnly = args.Contains("--sends-only"),
            Warmup = Math.Max(1, Value("warmup", 3000)),
            PostgresMemory = Choice("postgres-memory", "production", "production", "default"),
            PostgresFsync = Choice("pg-fsync", "on", "on", "off") == "on",
            Database = Choice("db", "sqlite", "sqlite", "postgres", "both"),
            Channels = Math.Max(1, Value("channels", 1)),
            Servers = Math.Max(0, Value("servers", 0)),
            Bare = args.Contains("--bare"),
            Sustained = args.Contains("--sustained"),
            StartRate = Math.Max(1, Value("start-rate", 100)),
            MaxRate = Value("max-rate", 4000),
            StepSeconds = Math.Max(1, Value("step-seconds", 5)),
            TargetP99 = Value("target-p99", 50),
            Protocol = Choice("protocol", "json", "json", "messagepack"),
            Client = Choice("client", "signalr", "signalr", "lean"),
            Stalled = Math.Max(0, Value("stalled", 0)),
        };
    }
}
