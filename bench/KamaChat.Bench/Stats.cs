using System.Diagnostics;
using System.Globalization;

namespace KamaChat.Bench;

/// <summary>Latency samples (Stopwatch ticks) from many receivers, and the percentiles of them.</summary>
public sealed class LatencyRecorder
{
    private readonly List<long>[] _shards = Enumerable.Range(0, 64).Select(_ => new List<long>(1 << 16)).ToArray();
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Record(long sentTimestamp)
    {
        var elapsed = Stopwatch.GetTimestamp() - sentTimestamp;
        var shard = _shards[Environment.CurrentManagedThreadId & 63];
        lock (shard)
            shard.Add(elapsed);
        Interlocked.Increment(ref _count);
    }

    /// <summary>Forgets the samples so far (between the steps of a rate search).</summary>
    public void Reset()
    {
        foreach (var shard in _shards)
            lock (shard)
                shard.Clear();
        Interlocked.Exchange(ref _count, 0);
    }

    public (double P50, double P99, double Max) PercentilesMs()
    {
        var all = _shards.SelectMany(s => { lock (s) return s.ToArray(); }).Order().ToArray();
        if (all.Length == 0)
            return (double.NaN, double.NaN, double.NaN);
        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        return (Ms(all[all.Length / 2]), Ms(all[(int)(all.Length * 0.99)]), Ms(all[^1]));
    }
}

public sealed record RunResult(string Name, double DeliveredPerSecond, double SentPerSecond, double P50, double P99, double Max, long Expected, long Delivered)
{
    public string Line() => string.Create(CultureInfo.InvariantCulture,
        $"{Name,-10} delivered {DeliveredPerSecond,10:N0}/s  sent {SentPerSecond,7:N0}/s  p50 {P50,7:N2} ms  p99 {P99,7:N2} ms  max {Max,8:N2} ms  ({Delivered:N0} of {Expected:N0} delivered)");
}

/// <summary>What every bench prints beside its numbers: how busy the machine was.</summary>
public static class Machine
{
    /// <summary>The 1, 5 and 15 minute load averages, as uptime prints them.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>The nearest-rank percentile of <paramref name="values"/> (any order); NaN when there are none.</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }
}
