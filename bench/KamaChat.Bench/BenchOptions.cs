using System.Globalization;

namespace KamaChat.Bench;

public sealed record BenchOptions(string Mode, int Clients, int Senders, int Rate, int Seconds, int Connections)
{
    public static BenchOptions Parse(string[] args)
    {
        var mode = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "gateway";
        int Value(string name, int fallback)
        {
            var index = Array.IndexOf(args, "--" + name);
            return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : fallback;
        }
        return new BenchOptions(mode, Value("clients", 200), Value("senders", 4), Value("rate", 50), Value("seconds", 15), Value("connections", 20_000));
    }
}
