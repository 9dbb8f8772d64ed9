using System.Globalization;
using Npgsql;

namespace KamaChat.Bench;

/// <summary>
/// Where send → receive goes, from the server's own stage histograms on /metrics (kamachat.messages.send.stage,
/// kamachat.gateway.dispatch) read before and after a run, and, on PostgreSQL, the transactions the database committed
/// (pg_stat_database.xact_commit, reads included) per send. And what a send costs in counts the machine's load does not
/// change: the server's CPU time and managed allocations, its Npgsql commands and bytes each way, and the CPU time of
/// the PostgreSQL server's processes (every process of that server, its backends and its WAL writer alike).
/// </summary>
public sealed class SendPathBreakdown
{
    private readonly Dictionary<string, Histogram> _stages;
    private readonly Histogram _batches;
    private readonly long? _transactions;
    private readonly Counts _counts;

    /// <summary>Cumulative totals: server CPU, bytes allocated, Npgsql commands and bytes written/read, PostgreSQL CPU.</summary>
    private sealed record Counts(TimeSpan ServerCpu, double Allocated, double NpgsqlCommands, double BytesWritten, double BytesRead, TimeSpan? DatabaseCpu, TimeSpan ClientsCpu,
        double GcCollections, double GcPauseSeconds);

    private SendPathBreakdown(Dictionary<string, Histogram> stages, Histogram batches, long? transactions, Counts counts) =>
        (_stages, _batches, _transactions, _counts) = (stages, batches, transactions, counts);

    /// <summary>The stages in path order: checks, waiting for the channel's commit, the commit, the dispatcher's queue, the write to connections.</summary>
    private static readonly (string Key, string Label)[] Order =
        [("send:prepare", "prepare"), ("send:queue", "queue"), ("send:commit", "commit"), ("dispatch:queue", "dispatch queue"), ("dispatch:send", "fan-out")];

    public static async Task<SendPathBreakdown> ReadAsync(ServerUnderTest server)
    {
        var samples = await server.MetricsAsync();
        var stages = new Dictionary<string, Histogram>();
        foreach (var (prefix, metric) in new[] { ("send", "kamachat_messages_send_stage_seconds"), ("dispatch", "kamachat_gateway_dispatch_seconds") })
            foreach (var group in samples.Where(s => s.Name.StartsWith(metric, StringComparison.Ordinal)).GroupBy(s => ServerUnderTest.Label(s.Labels, "stage") ?? ""))
                stages[$"{prefix}:{group.Key}"] = Histogram.Of(group, metric);
        var batches = Histogram.Of(samples.Where(s => s.Name.StartsWith("kamachat_messages_send_batch", StringComparison.Ordinal)), "kamachat_messages_send_batch");
        double Sum(Func<string, bool> name) => samples.Where(s => name(s.Name)).Sum(s => s.Value);
        // Npgsql's meter: a command (one batch of statements) is one duration sample; COMMIT and ROLLBACK sent by a
        // transaction object are not commands of its own and do not count.
        var counts = new Counts(server.CpuTime(),
            Sum(n => n == "dotnet_gc_heap_total_allocated_bytes_total"),
            Sum(n => n == "db_client_operation_duration_seconds_count"),
            Sum(n => n == "db_client_operation_npgsql_bytes_written_bytes_total"),
            Sum(n => n == "db_client_operation_npgsql_bytes_read_bytes_total"),
            await DatabaseCpuAsync(server.DatabaseUrl),
            ProcessCpu.Of(Environment.ProcessId),
            Sum(n => n == "dotnet_gc_collections_total"),
            Sum(n => n == "dotnet_gc_pause_time_seconds_total"));
        return new SendPathBreakdown(stages, batches, await TransactionsAsync(server.DatabaseUrl), counts);
    }

    /// <summary>
    /// CPU time (user + system) of the PostgreSQL server so far: its postmaster with the children it reaped, and every
    /// child alive now (backends, WAL writer, checkpointer). Found from a backend's parent, so only that server counts.
    /// </summary>
    private static async Task<TimeSpan?> DatabaseCpuAsync(string? url)
    {
        if (url is null || url.StartsWith("sqlite", StringComparison.OrdinalIgnoreCase))
            return null;
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(url) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
        var backend = (int)(await command.ExecuteScalarAsync())!;
        return ProcessCpu.ParentOf(backend) is { } postmaster ? ProcessCpu.TreeOf(postmaster) : null;
    }

    private static async Task<long?> TransactionsAsync(string? url)
    {
        if (url is null || url.StartsWith("sqlite", StringComparison.OrdinalIgnoreCase))
            return null;
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(url) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>What happened between <paramref name="before"/> and this reading, as one line.</summary>
    public string Since(SendPathBreakdown before, string name, long sends)
    {
        var parts = new List<string>();
        foreach (var (key, label) in Order)
        {
            var stage = _stages.GetValueOrDefault(key, Histogram.Empty).Minus(before._stages.GetValueOrDefault(key, Histogram.Empty));
            if (stage.Count > 0)
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{label} {stage.Sum / stage.Count * 1000:N2}/{stage.Quantile(0.99) * 1000:N1}"));
        }
        var batches = _batches.Minus(before._batches);
        var line = $"breakdown  {name}: ms mean/p99<= " + string.Join(" | ", parts);
        if (batches.Count > 0)
            line += string.Create(CultureInfo.InvariantCulture, $"; {batches.Sum / batches.Count:N2} sends/commit");
        if (_transactions is { } after && before._transactions is { } start && sends > 0)
            line += string.Create(CultureInfo.InvariantCulture, $"; {(after - start) / (double)sends:N2} PG transactions/send");
        if (sends > 0)
        {
            var (now, then) = (_counts, before._counts);
            var serverCpu = (now.ServerCpu - then.ServerCpu).TotalMilliseconds / sends;
            line += string.Create(CultureInfo.InvariantCulture,
                $"\ncounts     {name}: per send: server CPU {serverCpu:N2} ms, {(now.Allocated - then.Allocated) / sends / 1024:N1} KiB allocated, " +
                $"{(now.NpgsqlCommands - then.NpgsqlCommands) / sends:N2} Npgsql commands, {(now.BytesWritten - then.BytesWritten) / sends:N0} B written / {(now.BytesRead - then.BytesRead) / sends:N0} B read");
            var databaseCpu = now.DatabaseCpu is { } database && then.DatabaseCpu is { } earlier ? (database - earlier).TotalMilliseconds / sends : 0;
            if (now.DatabaseCpu is not null)
                line += string.Create(CultureInfo.InvariantCulture, $", PostgreSQL CPU {databaseCpu:N2} ms");
            // The senders and listeners run in this process on the same cores as the server: what they cost a send
            // bounds the rate this machine can show, whatever the server does.
            var clientsCpu = (now.ClientsCpu - then.ClientsCpu).TotalMilliseconds / sends;
            var total = serverCpu + databaseCpu + clientsCpu;
            line += string.Create(CultureInfo.InvariantCulture,
                $", bench clients CPU {clientsCpu:N2} ms; all together {total:N2} ms, so {Environment.ProcessorCount} cores run out at ~{Environment.ProcessorCount * 1000 / total:N0} sends/s");
            // Server GCs (every generation) and their pauses: a pause stops delivery for every connection at once.
            line += string.Create(CultureInfo.InvariantCulture,
                $"; server GCs {(now.GcCollections - then.GcCollections) * 1000 / sends:N1} per 1,000 sends, GC pause {(now.GcPauseSeconds - then.GcPauseSeconds) * 1000 / sends:N3} ms per send");
            if (batches.Count > 0)
                line += string.Create(CultureInfo.InvariantCulture, $"; per commit: {(now.NpgsqlCommands - then.NpgsqlCommands) / batches.Count:N2} Npgsql commands");
        }
        return line;
    }

    /// <summary>A cumulative Prometheus histogram: bucket upper bounds with their counts, the sum and the count.</summary>
    private sealed record Histogram(SortedDictionary<double, double> Buckets, double Sum, double Count)
    {
        public static readonly Histogram Empty = new([], 0, 0);

        public static Histogram Of(IEnumerable<ServerUnderTest.Sample> samples, string metric)
        {
            var (buckets, sum, count) = (new SortedDictionary<double, double>(), 0.0, 0.0);
            foreach (var sample in samples)
            {
                if (sample.Name == metric + "_bucket")
                {
                    var le = ServerUnderTest.Label(sample.Labels, "le");
                    var bound = le is null or "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture);
                    buckets[bound] = buckets.GetValueOrDefault(bound) + sample.Value;
                }
                else if (sample.Name == metric + "_sum")
                    sum += sample.Value;
                else if (sample.Name == metric + "_count")
                    count += sample.Value;
            }
            return new Histogram(buckets, sum, count);
        }

        public Histogram Minus(Histogram earlier) => new(
            new SortedDictionary<double, double>(Buckets.ToDictionary(b => b.Key, b => b.Value - earlier.Buckets.GetValueOrDefault(b.Key))),
            Sum - earlier.Sum, Count - earlier.Count);

        /// <summary>The upper bound of the bucket the quantile falls in.</summary>
        public double Quantile(double q)
        {
            foreach (var (bound, cumulative) in Buckets)
                if (cumulative >= q * Count)
                    return bound;
            return double.PositiveInfinity;
        }
    }
}
