using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Search;
using KamaChat.Server.Features.Servers;
using KamaChat.Server.Features.Users;
using KamaChat.Server.Infrastructure.Ids;
using KamaChat.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Npgsql;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Bench;

/// <summary>
/// One benchmark database: a SQLite file in a temp directory, or a database on a throwaway PostgreSQL (the tests' own
/// initdb + postgres fixture). Seeded in bulk (prepared inserts, binary COPY), not through HTTP.
/// </summary>
public sealed class SearchDatabase : IAsyncDisposable
{
    public const int Channels = 50;
    public const int Authors = 1000;
    // Ids count from 2025-01-01, so the history must start after it.
    public static readonly TimeSpan History = TimeSpan.FromDays(600);

    private readonly string _directory;

    private SearchDatabase(string engine, string url, string connectionString, string directory) =>
        (Engine, Url, ConnectionString, _directory) = (engine, url, connectionString, directory);

    public string Engine { get; }

    /// <summary>DATABASE_URL for the server process.</summary>
    public string Url { get; }

    public string ConnectionString { get; }

    public bool IsPostgres => Engine == "postgres";

    public Snowflake ServerId { get; private set; }

    public List<Snowflake> ChannelIds { get; } = [];

    public List<Snowflake> UserIds { get; } = [];

    public Snowflake FirstMessageId { get; private set; }

    public Snowflake LastMessageId { get; private set; }

    /// <summary>About 500 messages spread over the history, for queries that must find something (phrases, CJK substrings).</summary>
    public List<string> SampledContents { get; } = [];

    /// <summary>The same sampled messages with where and when they were written (channel and author by index), for filtered queries that must find them.</summary>
    public List<SampledMessage> SampledMessages { get; } = [];

    public string SqliteFile => Path.Combine(_directory, "kamachat.db");

    /// <summary>KAMACHAT_TEST_POSTGRES names a PostgreSQL server of the user's own: these databases go there, whatever
    /// --pg-fsync asks, as the tests' do.</summary>
    private static bool OnServerOfYourOwn => Environment.GetEnvironmentVariable("KAMACHAT_TEST_POSTGRES") is { Length: > 0 };

    /// <summary>What a header says of the durability of the PostgreSQL these databases are on.</summary>
    public static string PostgresFsyncNote(BenchOptions options) =>
        OnServerOfYourOwn ? "; PostgreSQL the server KAMACHAT_TEST_POSTGRES names (its own fsync setting; --pg-fsync not applied)" : options.PostgresFsyncNote();

    /// <param name="productionMemory">PostgreSQL: on a server of the bench's own with the memory settings a production
    /// install has (<see cref="ProductionMemorySettings"/>) rather than the tests' server with initdb's defaults.</param>
    /// <param name="fsync">PostgreSQL: on a server of the bench's own that flushes its log to disk on every commit, as
    /// production does (<see cref="BenchOptions.PostgresFsync"/>), rather than one that leaves it to the OS.</param>
    public static async Task<SearchDatabase> CreateAsync(string engine, bool productionMemory = false, bool fsync = false)
    {
        var directory = Directory.CreateTempSubdirectory("kamachat-bench-search-").FullName;
        if (engine == "postgres")
        {
            var database = (productionMemory || fsync) && !OnServerOfYourOwn
                ? await PostgresServer.CreateDatabaseAsync(await OwnServers.GetOrAdd((productionMemory, fsync), StartOwnServer).Value)
                : await PostgresServer.CreateDatabaseAsync();
            // Bulk loads and index builds take minutes, far past Npgsql's default 30 s command timeout.
            var connectionString = new NpgsqlConnectionStringBuilder(database) { CommandTimeout = 3600 }.ConnectionString;
            return new SearchDatabase(engine, connectionString, connectionString, directory);
        }
        var file = Path.Combine(directory, "kamachat.db");
        return new SearchDatabase(engine, "sqlite://" + file, $"Data Source={file}", directory);
    }

    /// <summary>
    /// PostgreSQL's own tuning guidance, as deploy/postgresql/kamachat.conf carries it: shared_buffers a quarter of the
    /// memory (the manual's "Resource Consumption": "a reasonable starting value"), effective_cache_size three quarters
    /// (the PostgreSQL wiki's "Tuning Your PostgreSQL Server": half is conservative, three quarters "more aggressive but
    /// still reasonable"; the planner's estimate of what is cached, nothing allocated). initdb's 128 MB of shared buffers
    /// starts anywhere but holds under a quarter of a 1,000,000-message history with its indexes (about 560 MiB), so
    /// the rest is read through the OS's cache page by page. This machine runs the bench's servers too, as a one-box
    /// install runs its node next to its database.
    /// </summary>
    public static IReadOnlyList<string> ProductionMemorySettings()
    {
        var megabytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024);
        return [$"shared_buffers={megabytes / 4}MB", $"effective_cache_size={megabytes * 3 / 4}MB"];
    }

    /// <summary>The bench's own PostgreSQL servers, one for each (production memory, fsync) asked for, started once a run.</summary>
    private static readonly ConcurrentDictionary<(bool ProductionMemory, bool Fsync), Lazy<Task<string>>> OwnServers = new();

    private static Lazy<Task<string>> StartOwnServer((bool ProductionMemory, bool Fsync) kind) => new(async () =>
        (await PostgresServer.StartOwnAsync(settings: kind.ProductionMemory ? ProductionMemorySettings() : [], flushesToDisk: kind.Fsync)).AdminConnectionString);

    /// <summary>
    /// A second database holding the same seeded history (SQLite: a copy of the file; PostgreSQL: CREATE DATABASE …
    /// TEMPLATE), so one can get the search index and the other not, and the two be measured side by side.
    /// </summary>
    public async Task<SearchDatabase> CloneAsync()
    {
        SearchDatabase clone;
        if (IsPostgres)
        {
            NpgsqlConnection.ClearAllPools();
            var source = new NpgsqlConnectionStringBuilder(ConnectionString);
            var name = source.Database + "_copy";
            await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString))
            {
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE \"{source.Database}\"", admin) { CommandTimeout = 3600 };
                await create.ExecuteNonQueryAsync();
            }
            var connectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
            clone = new SearchDatabase(Engine, connectionString, connectionString, Directory.CreateTempSubdirectory("kamachat-bench-search-").FullName);
        }
        else
        {
            await SqliteFileBytesAsync();
            SqliteConnection.ClearAllPools();
            var directory = Directory.CreateTempSubdirectory("kamachat-bench-search-").FullName;
            var file = Path.Combine(directory, "kamachat.db");
            File.Copy(SqliteFile, file);
            clone = new SearchDatabase(Engine, "sqlite://" + file, $"Data Source={file}", directory);
        }
        clone.ServerId = ServerId;
        clone.ChannelIds.AddRange(ChannelIds);
        clone.UserIds.AddRange(UserIds);
        clone.FirstMessageId = FirstMessageId;
        clone.LastMessageId = LastMessageId;
        clone.SampledContents.AddRange(SampledContents);
        clone.SampledMessages.AddRange(SampledMessages);
        return clone;
    }

    /// <summary>PostgreSQL's memory settings as the server runs them, for the report ("" on SQLite).</summary>
    public async Task<string> MemorySettingsAsync()
    {
        if (!IsPostgres)
            return "";
        await using var db = Context();
        var settings = await db.Database.SqlQueryRaw<string>(
            "SELECT name || ' ' || current_setting(name) AS \"Value\" FROM pg_settings WHERE name IN ('shared_buffers', 'effective_cache_size') ORDER BY name DESC").ToListAsync();
        return string.Join(", ", settings);
    }

    /// <summary>
    /// PostgreSQL: the blocks this database has read from the OS and found in shared buffers so far (pg_stat_database),
    /// counts the machine's load does not change. A backend publishes its counts when idle, at most once a second, so
    /// this waits that out first. Null on SQLite.
    /// </summary>
    public async Task<(long Read, long Hit)?> BlocksAsync()
    {
        if (!IsPostgres)
            return null;
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await using var db = Context();
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "SELECT blks_read, blks_hit FROM pg_stat_database WHERE datname = current_database()";
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>SQLite: the sent messages the node had not indexed for search yet when it stopped (the searches read them beside the index); null on PostgreSQL.</summary>
    public async Task<long?> PendingSearchRowsAsync()
    {
        if (IsPostgres)
            return null;
        await using var db = Context();
        // Null too on a build from before the pending table (comparing builds).
        if (await db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = 'message_search_pending'").SingleAsync() == 0)
            return null;
        return await db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM message_search_pending").SingleAsync();
    }

    /// <summary>The PostgreSQL server's main process (its postmaster.pid's first line), whose children are the connections' backends.</summary>
    public async Task<int?> PostmasterAsync()
    {
        await using var db = Context();
        var directory = await db.Database.SqlQueryRaw<string>("SELECT setting AS \"Value\" FROM pg_settings WHERE name = 'data_directory'").SingleAsync();
        var pidFile = Path.Combine(directory, "postmaster.pid");
        return File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).First(), CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    /// <summary>The searches' trigram sample for this database, one for the whole run as a node keeps one.</summary>
    public TrigramSamples TrigramSamples => _trigramSamples ??= TrigramSamples.Over(Context, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

    private TrigramSamples? _trigramSamples;

    public KamaDbContext Context() => IsPostgres
        ? new PostgresKamaDbContext(new DbContextOptionsBuilder<PostgresKamaDbContext>().UseNpgsql(ConnectionString).Options)
        : new SqliteKamaDbContext(new DbContextOptionsBuilder<SqliteKamaDbContext>().UseSqlite(ConnectionString).Options);

    /// <summary>Migrates to the latest schema, then takes the search migration out again: the state of an upgrade.</summary>
    public async Task MigrateWithoutSearchAsync()
    {
        await MigrateAsync();
        await using var db = Context();
        await db.Database.ExecuteSqlRawAsync(SearchMigrationScript(db, up: false));
    }

    /// <summary>Applies the search migration (creating and filling the index); returns how long it took.</summary>
    public async Task<TimeSpan> ApplySearchMigrationAsync()
    {
        await using var db = Context();
        db.Database.SetCommandTimeout(TimeSpan.FromHours(1));
        var script = SearchMigrationScript(db, up: true);
        if (!IsPostgres)
            _sqliteBytesWithoutIndex = await SqliteFileBytesAsync();
        var clock = Stopwatch.StartNew();
        await db.Database.ExecuteSqlRawAsync(script);
        if (IsPostgres)
            await db.Database.ExecuteSqlRawAsync("ANALYZE messages;");
        return clock.Elapsed;
    }

    /// <summary>
    /// The search migrations, in order; the last twelve are one provider's each (SQLite: FTS5 automerge, then one merge of
    /// the rebuilt index, then the bigram index in FTS5, and last the indexes written after the sends; PostgreSQL: the pending-list limit, the trigram index across
    /// spaces, the bigram index's plain predicate, the trigram index rebuilt with 'ß' for the space, the folded column
    /// storing the 'ß' itself, the fold in PL/pgSQL, the pending lists merged in the background, the bigrams in PL/pgSQL).
    /// Every migration that touches the search's functions or indexes must be here: one left out is undone on the
    /// indexed copy when <c>_MessageSearch</c> is applied again (it recreates the functions as they were first written).
    /// </summary>
    private static readonly string[] SearchMigrations = ["_MessageSearch", "_MessageSearchBigrams", "_SearchFtsAutomerge", "_SearchFtsOptimize", "_SearchBigramsInFts", "_SearchGinPendingList", "_SearchTrigramsAcrossWords", "_SearchBigramIndexRegexPredicate", "_SearchTrigramSpaceStandIn", "_SearchTextSpacesAsStandIn", "_SearchFoldInPlpgsql", "_SearchPendingListsMergedInBackground", "_SearchBigramsInPlpgsql", "_SearchIndexedAfterCommit"];

    /// <summary>The search migrations' own SQL (the trigram index, then the bigram index), as EF generates it (Up, or Down in reverse), history rows included.</summary>
    private static string SearchMigrationScript(KamaDbContext db, bool up)
    {
        var migrations = db.Database.GetMigrations().ToList();
        var migrator = db.GetService<IMigrator>();
        var scripts = SearchMigrations.Where(name => migrations.Exists(m => m.EndsWith(name, StringComparison.Ordinal))).Select(name =>
        {
            var index = migrations.FindIndex(m => m.EndsWith(name, StringComparison.Ordinal));
            var (search, previous) = (migrations[index], migrations[index - 1]);
            return up ? migrator.GenerateScript(previous, search) : migrator.GenerateScript(search, previous);
        }).ToList();
        if (!up)
            scripts.Reverse();
        return string.Join(Environment.NewLine, scripts);
    }

    /// <summary>Migrates to the latest schema, search index included: a database as a node runs it.</summary>
    public async Task MigrateAsync()
    {
        await using var db = Context();
        await db.Database.MigrateAsync();
        if (!IsPostgres)
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
    }

    /// <param name="channels">How many channels the history is spread over (skewed: the first is the busiest); one
    /// puts all of it in a single channel.</param>
    public async Task SeedAsync(SearchCorpus corpus, int messageCount, Action<string> progress, int channels = Channels)
    {
        await using (var db = Context())
        {
            var ids = new SnowflakeGenerator(0, TimeProvider.System);
            var now = DateTimeOffset.UtcNow;
            ServerId = ids.NextId();
            for (var i = 0; i < Authors; i++)
            {
                var name = $"user{i:D4}";
                var id = ids.NextId();
                UserIds.Add(id);
                db.Users.Add(new User
                {
                    Id = id, UserName = name, NormalizedUserName = name.ToUpperInvariant(), Email = $"{name}@bench.test",
                    NormalizedEmail = $"{name}@bench.test".ToUpperInvariant(), EmailConfirmed = true,
                    SecurityStamp = Guid.NewGuid().ToString("N"), CreatedAt = now,
                });
            }
            db.Servers.Add(new ChatServer { Id = ServerId, Name = "Bench", OwnerId = UserIds[0], CreatedAt = now });
            db.Roles.Add(new Role { Id = ServerId, ServerId = ServerId, Name = Role.EveryoneName, Permissions = P.DefaultEveryone });
            foreach (var userId in UserIds)
                db.Members.Add(new Member { ServerId = ServerId, UserId = userId, JoinedAt = now });
            for (var i = 0; i < channels; i++)
            {
                var id = ids.NextId();
                ChannelIds.Add(id);
                db.Channels.Add(new Channel { Id = id, ServerId = ServerId, Type = ChannelType.Text, Name = $"channel-{i:D2}", CreatedAt = now });
            }
            await db.SaveChangesAsync();
        }

        var start = DateTimeOffset.UtcNow - History - TimeSpan.FromDays(1);
        var step = History / messageCount;
        var sequences = new long[channels];
        var sampleEvery = Math.Max(1, messageCount / 500);
        var rows = Enumerable.Range(0, messageCount).Select(i =>
        {
            var createdAt = start + step * i;
            // Busy channels and chatty people: both skewed.
            var channel = (int)(channels * Math.Pow(corpus.Random.NextDouble(), 2));
            var author = (int)(Authors * Math.Pow(corpus.Random.NextDouble(), 3));
            var content = corpus.NextMessage();
            if (i % sampleEvery == 0)
            {
                SampledContents.Add(content);
                SampledMessages.Add(new SampledMessage(content, channel, author, createdAt));
            }
            return new SeedRow(SnowflakeGenerator.MinimumIdAt(createdAt), ChannelIds[channel], UserIds[author], content, createdAt, ++sequences[channel]);
        });
        FirstMessageId = SnowflakeGenerator.MinimumIdAt(start);
        LastMessageId = SnowflakeGenerator.MinimumIdAt(start + step * (messageCount - 1));
        if (IsPostgres)
            await CopyPostgresAsync(rows, messageCount, progress);
        else
            await InsertSqliteAsync(rows, messageCount, progress);
    }

    private static readonly string[] SqliteColumns = ["$id", "$channel", "$author", "$content", "$created", "$sequence"];

    private sealed record SeedRow(Snowflake Id, Snowflake ChannelId, Snowflake AuthorId, string Content, DateTimeOffset CreatedAt, long Sequence);

    private async Task InsertSqliteAsync(IEnumerable<SeedRow> rows, int count, Action<string> progress)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        var toBinary = new DateTimeOffsetToBinaryConverter();
        DbTransaction transaction = await connection.BeginTransactionAsync();
        var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO messages ("Id", "ChannelId", "AuthorId", "Content", "CreatedAt", "MentionsEveryone", "Sequence", "Kind")
            VALUES ($id, $channel, $author, $content, $created, 0, $sequence, 0)
            """;
        var parameters = SqliteColumns.Select(n => insert.Parameters.Add(new SqliteParameter(n, null))).ToArray();
        var written = 0;
        foreach (var row in rows)
        {
            parameters[0].Value = row.Id.Value;
            parameters[1].Value = row.ChannelId.Value;
            parameters[2].Value = row.AuthorId.Value;
            parameters[3].Value = row.Content;
            parameters[4].Value = toBinary.ConvertToProvider(row.CreatedAt);
            parameters[5].Value = row.Sequence;
            insert.Transaction = (SqliteTransaction)transaction;
            await insert.ExecuteNonQueryAsync();
            if (++written % 100_000 == 0)
            {
                await transaction.CommitAsync();
                transaction = await connection.BeginTransactionAsync();
                progress($"{written:N0} of {count:N0}");
            }
        }
        await transaction.CommitAsync();
        await using var analyze = connection.CreateCommand();
        analyze.CommandText = "ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);";
        await analyze.ExecuteNonQueryAsync();
    }

    private async Task CopyPostgresAsync(IEnumerable<SeedRow> rows, int count, Action<string> progress)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        var written = 0;
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY messages (\"Id\", \"ChannelId\", \"AuthorId\", \"Content\", \"CreatedAt\", \"MentionsEveryone\", \"Sequence\", \"Kind\") FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var row in rows)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(row.Id.Value, NpgsqlTypes.NpgsqlDbType.Bigint);
                await writer.WriteAsync(row.ChannelId.Value, NpgsqlTypes.NpgsqlDbType.Bigint);
                await writer.WriteAsync(row.AuthorId.Value, NpgsqlTypes.NpgsqlDbType.Bigint);
                await writer.WriteAsync(row.Content, NpgsqlTypes.NpgsqlDbType.Text);
                await writer.WriteAsync(row.CreatedAt, NpgsqlTypes.NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(false, NpgsqlTypes.NpgsqlDbType.Boolean);
                await writer.WriteAsync(row.Sequence, NpgsqlTypes.NpgsqlDbType.Bigint);
                await writer.WriteAsync((int)MessageKind.Default, NpgsqlTypes.NpgsqlDbType.Integer);
                if (++written % 100_000 == 0)
                    progress($"{written:N0} of {count:N0}");
            }
            await writer.CompleteAsync();
        }
        await using var analyze = new NpgsqlCommand("VACUUM ANALYZE messages;", connection);
        analyze.CommandTimeout = 3600;
        await analyze.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// (table bytes, search index bytes): the messages table with its ordinary indexes, and what search adds to it — on
    /// PostgreSQL the trigram index plus the folded copy of the content stored in the table.
    /// </summary>
    public async Task<(long Table, long Index)> SizesAsync()
    {
        if (!IsPostgres)
            // The bundled SQLite has no dbstat table: the file before the index (all but a few small tables is messages) and what the index added.
            return (_sqliteBytesWithoutIndex, await SqliteFileBytesAsync() - _sqliteBytesWithoutIndex);
        await using var db = Context();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT pg_total_relation_size('messages') - pg_relation_size('"IX_messages_search_trigram"') - pg_relation_size('"IX_messages_search_bigram"'),
                   pg_relation_size('"IX_messages_search_trigram"') + pg_relation_size('"IX_messages_search_bigram"'),
                   (SELECT coalesce(sum(pg_column_size("SearchText")), 0) FROM messages)
            """;
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var folded = reader.GetInt64(2);
        return (reader.GetInt64(0) - folded, reader.GetInt64(1) + folded);
    }

    private long _sqliteBytesWithoutIndex;

    private async Task<long> SqliteFileBytesAsync()
    {
        await using (var connection = new SqliteConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await checkpoint.ExecuteNonQueryAsync();
        }
        return new FileInfo(SqliteFile).Length;
    }

    public async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        // KAMACHAT_BENCH_KEEP=1 leaves the SQLite files (and, on a server of your own, the databases) for EXPLAIN afterwards.
        if (Environment.GetEnvironmentVariable("KAMACHAT_BENCH_KEEP") == "1")
        {
            Console.WriteLine($"kept: {(IsPostgres ? ConnectionString : SqliteFile)}");
            return;
        }
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
        await Task.CompletedTask;
    }
}

/// <summary>A seeded message: its content, channel and author (indexes into the bench's lists), and when it was sent.</summary>
public sealed record SampledMessage(string Content, int Channel, int Author, DateTimeOffset CreatedAt);
