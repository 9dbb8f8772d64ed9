using System.Net.Http.Headers;
using KamaChat.Server.Data;
using KamaChat.Server.Infrastructure.Caching;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// The real server, in memory, on a fresh database of its own. One per test class
/// (an xunit class fixture), so classes run in parallel without seeing each other's data.
/// </summary>
public abstract class KamaChatApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    /// <summary>The signing secret the tests use, so they can also forge tokens that must be refused.</summary>
    public const string JwtSecret = "test-secret-that-is-long-enough-for-hs256-signing!";

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("kamachat-test-").FullName;
    private string _databaseUrl = "";
    private IReadOnlyDictionary<string, string?> _settings = new Dictionary<string, string?>();

    public abstract string ProviderName { get; }

    /// <summary>The database this app uses (SQLite URL or an Npgsql connection string).</summary>
    public string DatabaseUrl => _databaseUrl;

    /// <summary>This app's own data directory (the SQLite file, mail, keys).</summary>
    public string DataDirectory => _dataDirectory;

    /// <summary>Where the app writes .eml files when no SMTP server is configured.</summary>
    public string MailDirectory => Path.Combine(_dataDirectory, "mail");

    protected abstract Task<string> CreateDatabaseUrlAsync(string dataDirectory);

    /// <summary>Extra configuration for a fixture (e.g. the URL of a throwaway SMTP server it starts first).</summary>
    protected virtual Task<IReadOnlyDictionary<string, string?>> SettingsAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>());

    protected static string SqliteUrl(string dataDirectory) => "sqlite://" + Path.Combine(dataDirectory, "kamachat.db");

    public async Task InitializeAsync()
    {
        _databaseUrl = await CreateDatabaseUrlAsync(_dataDirectory);
        _settings = await SettingsAsync();
        if (UsesKestrel)
            UseKestrel(0);
        // Start the host now so migrations run once here, not inside the first test.
        StartServer();
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await ReleaseDataDirectoryAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file for a moment; the temp directory is cleaned by the OS.
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("DATABASE_URL", _databaseUrl);
        builder.UseSetting("KAMACHAT_DATA_DIR", _dataDirectory);
        builder.UseSetting("JWT_SECRET", JwtSecret);
        builder.UseSetting("NODE_ID", NodeId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // A slow refill keeps the gateway's flood test independent of how fast this machine is.
        builder.UseSetting("KAMACHAT_GATEWAY_CALLS_PER_SECOND", "2");
        // Calls run peer to peer unless a test brings its own Janus (tests/KamaChat.Tests/Calls).
        builder.UseSetting("KAMACHAT_LOCAL_JANUS", "off");
        // Test traffic stays on loopback: a link in a test's message (https://example.com/…) is not fetched. The link
        // preview tests turn previews on, for their page server on 127.0.0.1.
        builder.UseSetting("LINK_PREVIEWS", "off");
        // Generous limits, so classes that sign up many users do not trip them; RateLimitTests sets small ones.
        foreach (var policy in Enum.GetNames<Server.Infrastructure.RateLimiting.RateLimitPolicy>())
        {
            builder.UseSetting($"RateLimits:{policy}:PerIp", "100000");
            builder.UseSetting($"RateLimits:{policy}:PerAccount", "100000");
        }
        foreach (var (name, value) in ExtraSettings)
            builder.UseSetting(name, value);
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
    }

    /// <summary>Undoes what <see cref="CreateDatabaseUrlAsync"/> did to the data directory (e.g. a mount), after the host stopped.</summary>
    protected virtual Task ReleaseDataDirectoryAsync() => Task.CompletedTask;

    protected virtual int NodeId => 1;

    /// <summary>Serve on a real Kestrel socket (a free loopback port) instead of the in-memory test server.</summary>
    protected virtual bool UsesKestrel => false;

    protected virtual IEnumerable<KeyValuePair<string, string>> ExtraSettings => [];

    /// <summary>A scope with the app's own DbContext, for asserting what was (not) written.</summary>
    public async Task<T> QueryAsync<T>(Func<KamaDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<KamaDbContext>());
    }

    /// <summary>
    /// A write straight to the database, bypassing the endpoints and so the events that keep the app's cache current:
    /// the cache is dropped after it, as the events would have.
    /// </summary>
    public async Task<T> WriteDirectAsync<T>(Func<KamaDbContext, Task<T>> write)
    {
        var result = await QueryAsync(write);
        DropCache();
        return result;
    }

    /// <summary>Forgets everything the app cached (permission inputs, user summaries).</summary>
    public void DropCache() => Services.GetRequiredService<KamaCache>().Invalidate([CacheTags.All]);

    public HttpClient CreateClient(string accessToken)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }
}

public sealed class SqliteApp : KamaChatApp
{
    public override string ProviderName => "sqlite";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) =>
        Task.FromResult(SqliteUrl(dataDirectory));
}

/// <summary>The app on a real Kestrel socket, for what only a real HTTP server does (request-line parsing, server headers).</summary>
public sealed class KestrelSqliteApp : KamaChatApp
{
    public override string ProviderName => "sqlite";

    protected override bool UsesKestrel => true;

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));
}

public sealed class PostgresApp : KamaChatApp
{
    public override string ProviderName => "postgres";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => PostgresServer.CreateDatabaseAsync();
}

/// <summary>
/// One of several nodes sharing a PostgreSQL database and a Redis, as in a scaled-out deployment; its clock may run
/// <paramref name="clockSkew"/> off the others', as real machines' clocks do.
/// </summary>
public sealed class ScaledNode(string databaseUrl, string? redisUrl, int nodeId, TimeSpan clockSkew = default) : KamaChatApp
{
    public override string ProviderName => "postgres";

    protected override int NodeId => nodeId;

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings =>
        redisUrl is null ? [] : [new("REDIS_URL", redisUrl)];

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(databaseUrl);

    private readonly SkewedClock _clock = new() { Skew = clockSkew };

    /// <summary>Moves this node's clock on by <paramref name="by"/>: time passing on it, and on it alone, without waiting.</summary>
    public void MoveClock(TimeSpan by) => _clock.Skew += by;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock));
    }

    private sealed class SkewedClock : TimeProvider
    {
        private long _skewTicks;

        public TimeSpan Skew
        {
            get => TimeSpan.FromTicks(Interlocked.Read(ref _skewTicks));
            set => Interlocked.Exchange(ref _skewTicks, value.Ticks);
        }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Skew;
    }
}

/// <summary>Two nodes on one PostgreSQL database and one Redis.</summary>
public sealed class ScaledPair : IAsyncLifetime
{
    public ScaledNode First { get; private set; } = null!;

    public ScaledNode Second { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        var redis = await RedisServer.UrlAsync();
        First = new ScaledNode(database, redis, nodeId: 11);
        await First.InitializeAsync();
        Second = new ScaledNode(database, redis, nodeId: 12);
        await Second.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await First.DisposeAsync();
        await Second.DisposeAsync();
    }
}
