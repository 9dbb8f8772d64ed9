using System.Diagnostics;
using System.Globalization;
using KamaChat.Server.Features.Search;
using KamaChat.Server.Infrastructure.Ids;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SQLitePCL;

namespace KamaChat.Bench;

/// <summary>
/// ./kamachat bench search-replay --sqlite FILE|--postgres CONNECTION_STRING --queries LOG --out FILE: runs the queries of
/// a search bench's query log (KAMACHAT_BENCH_QUERY_LOG, the last column) again on a kept database (KAMACHAT_BENCH_KEEP)
/// and writes, per query, its time, SQLite page requests (-1 on PostgreSQL), total and hit ids. Two builds (or two
/// connection settings) replayed on the same copy, alternately, compare a change of plan query by query: the same totals
/// and ids, and the pages or time each took.
/// </summary>
public static class SearchReplay
{
    public static async Task<int> RunAsync(string[] args)
    {
        string Argument(string name) => Array.IndexOf(args, "--" + name) is var i and >= 0 && i + 1 < args.Length
            ? args[i + 1]
            : throw new ArgumentException($"search-replay needs --{name}");
        var postgres = args.Contains("--postgres");
        var connectionString = postgres ? Argument("postgres") : $"Data Source={Argument("sqlite")}";
        var queries = File.ReadLines(Argument("queries")).Select(line => line.Split('\t')[^1]).ToList();
        await using var output = new StreamWriter(Argument("out"));

        List<Snowflake> channels;
        Func<Server.Data.KamaDbContext> context = postgres ? () => PostgresContext(connectionString) : () => Context(connectionString);
        await using (var db = context())
            channels = await db.Channels.AsNoTracking().Select(c => c.Id).ToListAsync();
        // Connection pool, JIT, the page cache's upper levels: a few unmeasured queries first, as the bench does.
        foreach (var q in queries.Take(5))
            await SearchOnceAsync(context, channels, q);
        for (var i = 0; i < queries.Count; i++)
        {
            var (milliseconds, results, pages) = await SearchOnceAsync(context, channels, queries[i]);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{i}\t{milliseconds:F2}\t{pages}\t{results.Total}{(results.TotalIsCapped ? "+" : "")}\t{string.Join(",", results.Hits.Select(h => h.MessageId))}\t{queries[i]}"));
        }
        Console.WriteLine($"replayed {queries.Count} queries; load average {Machine.LoadAverage()}");
        return 0;
    }

    /// <summary>
    /// ./kamachat bench search-sql --sqlite FILE "SQL" ...: each statement's rows (first 5), row count and SQLite page
    /// requests, to see what a plan's parts cost on a kept database (the sqlite3 shell's own SQLite may lack the
    /// tokenizer's options).
    /// </summary>
    public static async Task<int> SqlAsync(string[] args)
    {
        var file = args[Array.IndexOf(args, "--sqlite") + 1];
        await using var connection = new SqliteConnection($"Data Source={file}");
        await connection.OpenAsync();
        foreach (var sql in args.Skip(1).Where(a => a != "--sqlite" && a != file))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            SearchBench.PagesRead(connection, reset: true);
            var clock = Stopwatch.StartNew();
            var rows = 0;
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    if (++rows <= 5)
                        Console.WriteLine("  " + string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
                }
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows} rows, {SearchBench.PagesRead(connection, reset: false)} pages, {clock.Elapsed.TotalMilliseconds:F1} ms: {sql}"));
        }
        return 0;
    }

    /// <summary>The database's trigram sample, one for the whole replay as a node keeps one.</summary>
    private static TrigramSamples? _trigramSamples;

    private static Server.Data.SqliteKamaDbContext Context(string connectionString) =>
        new Server.Data.SqliteKamaDbContext(new DbContextOptionsBuilder<Server.Data.SqliteKamaDbContext>().UseSqlite(connectionString).Options);

    private static Server.Data.PostgresKamaDbContext PostgresContext(string connectionString) =>
        new Server.Data.PostgresKamaDbContext(new DbContextOptionsBuilder<Server.Data.PostgresKamaDbContext>().UseNpgsql(connectionString).Options);

    /// <summary>One search through the service, newest first, a page of 25: its time, results and page requests (as the bench counts them; -1 on PostgreSQL).</summary>
    private static async Task<(double Milliseconds, SearchResults Results, long Pages)> SearchOnceAsync(Func<Server.Data.KamaDbContext> context, List<Snowflake> channels, string q)
    {
        await using var db = context();
        _trigramSamples ??= TrigramSamples.Over(context, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var search = new MessageSearch(db, new UpperInvariantLookupNormalizer(), Options.Create(new SearchOptions()), _trigramSamples);
        await db.Database.OpenConnectionAsync();
        var sqlite = db.Database.GetDbConnection() as SqliteConnection;
        if (sqlite is not null)
            SearchBench.PagesRead(sqlite, reset: true);
        var clock = Stopwatch.StartNew();
        var results = await search.SearchAsync(SearchQueryParser.Parse(q).Query, channels, SearchSort.Newest, 0, 25, CancellationToken.None);
        var elapsed = clock.Elapsed.TotalMilliseconds;
        return (elapsed, results, sqlite is null ? -1 : SearchBench.PagesRead(sqlite, reset: false));
    }
}
