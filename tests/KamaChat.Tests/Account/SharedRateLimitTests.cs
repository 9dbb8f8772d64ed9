using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Gateway;
using KamaChat.Server.Infrastructure.RateLimiting;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace KamaChat.Tests.Account;

/// <summary>
/// A node with small limits and a header to pick the client address, on a database it may share with other nodes
/// (SQLite of its own when none is given) and a Redis it may share too.
/// </summary>
public sealed class LimitedNode(string? postgresUrl, string redisUrl, int nodeId) : KamaChatApp
{
    public const int RegistrationsPerIp = 3;
    public const int LoginsPerName = 3;
    public const int ResetsPerIp = 2;
    public const int SearchesPerAccount = 4;

    public override string ProviderName => postgresUrl is null ? "sqlite" : "postgres";

    protected override int NodeId => nodeId;

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(postgresUrl ?? SqliteUrl(dataDirectory));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("REDIS_URL", redisUrl);
        builder.UseSetting("RateLimits:Register:PerIp", $"{RegistrationsPerIp}");
        builder.UseSetting("RateLimits:Login:PerAccount", $"{LoginsPerName}");
        builder.UseSetting("RateLimits:PasswordReset:PerIp", $"{ResetsPerIp}");
        builder.UseSetting("RateLimits:Search:PerAccount", $"{SearchesPerAccount}");
        builder.UseSetting("RateLimits:Search:Window", "00:01:00");
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IStartupFilter, TestClientIp>();
            services.AddSingleton<ILoggerProvider>(CounterLog);
        });
    }

    /// <summary>What the rate-limit counter logged at Warning and above.</summary>
    public CounterWarnings CounterLog { get; } = new();

    /// <summary>An address no other test uses: the shared Redis keeps counts for the whole test run.</summary>
    public static string NewIp() => $"10.{Random.Shared.Next(256)}.{Random.Shared.Next(256)}.{Random.Shared.Next(1, 255)}";

    public HttpClient ClientFrom(string ip, string? accessToken = null)
    {
        var client = accessToken is null ? CreateClient() : CreateClient(accessToken);
        client.DefaultRequestHeaders.Add(TestClientIp.Header, ip);
        return client;
    }

    public Task<HttpResponseMessage> RegisterAsync(string ip)
    {
        var name = Api.UniqueName();
        return ClientFrom(ip).PostAsJsonAsync("/api/v1/auth/register", new { email = $"{name}@example.test", username = name, password = Api.GoodPassword });
    }

    public Task<HttpResponseMessage> LoginAsync(string login) =>
        ClientFrom(NewIp()).PostAsJsonAsync("/api/v1/auth/login", new { login, password = "not the password" });

    public Task<HttpResponseMessage> RequestPasswordResetAsync(string ip) =>
        ClientFrom(ip).PostAsJsonAsync("/api/v1/auth/password-reset", new { email = $"{Api.UniqueName()}@example.test" });

    public static async Task AssertLimitedAsync(HttpResponseMessage response)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After must say how long to wait.");
        Assert.True(problem.GetProperty("retryAfterSeconds").GetInt32() > 0);
    }
}

/// <summary>Collects the warnings <see cref="RateLimitCounter"/> logs.</summary>
public sealed class CounterWarnings : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _warnings = new();

    public IReadOnlyCollection<string> Warnings => _warnings;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName == typeof(RateLimitCounter).FullName ? _warnings : null);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<string>? sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => sink is not null && logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                sink!.Enqueue(formatter(state, exception));
        }
    }
}

/// <summary>Two nodes on one PostgreSQL database and one Redis, with small limits.</summary>
public sealed class LimitedPair : IAsyncLifetime
{
    public LimitedNode First { get; private set; } = null!;

    public LimitedNode Second { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        var redis = await RedisServer.UrlAsync();
        First = new LimitedNode(database, redis, nodeId: 21);
        await First.InitializeAsync();
        Second = new LimitedNode(database, redis, nodeId: 22);
        await Second.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await First.DisposeAsync();
        await Second.DisposeAsync();
    }
}

/// <summary>Behind a load balancer, a client that spreads its attempts over the nodes gets one limit, not one per node.</summary>
[Trait("Provider", "postgres")]
public sealed class SharedRateLimitTests(LimitedPair nodes) : IClassFixture<LimitedPair>
{
    [Fact]
    public async Task Sign_ups_from_one_address_spread_over_two_nodes_share_one_limit()
    {
        var ip = LimitedNode.NewIp();
        foreach (var node in new[] { nodes.First, nodes.Second, nodes.First })
            Assert.Equal(HttpStatusCode.Created, (await node.RegisterAsync(ip)).StatusCode);

        // Neither node has seen three sign-ups from this address: only a shared count refuses these.
        await LimitedNode.AssertLimitedAsync(await nodes.Second.RegisterAsync(ip));
        await LimitedNode.AssertLimitedAsync(await nodes.First.RegisterAsync(ip));
        // Another address is not held back.
        Assert.Equal(HttpStatusCode.Created, (await nodes.Second.RegisterAsync(LimitedNode.NewIp())).StatusCode);
    }

    [Fact]
    public async Task Login_attempts_on_one_name_spread_over_two_nodes_share_one_limit()
    {
        // No such account: a login name is limited whether or not it exists.
        var name = Api.UniqueName();
        foreach (var node in new[] { nodes.First, nodes.Second, nodes.First })
            await (await node.LoginAsync(name)).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        await LimitedNode.AssertLimitedAsync(await nodes.Second.LoginAsync(name));
    }

    [Fact]
    public async Task One_account_searching_through_both_nodes_has_one_budget()
    {
        var response = await nodes.First.RegisterAsync(LimitedNode.NewIp());
        var token = (await response.ReadAsync<Server.Features.Auth.AuthTokens>(HttpStatusCode.Created)).AccessToken;
        HttpClient[] clients = [nodes.First.CreateClient(token), nodes.Second.CreateClient(token)];
        const string search = "/api/v1/users/@me/messages/search?q=hello";

        for (var i = 0; i < LimitedNode.SearchesPerAccount; i++)
            Assert.Equal(HttpStatusCode.OK, (await clients[i % 2].GetAsync(search)).StatusCode);

        await LimitedNode.AssertLimitedAsync(await clients[0].GetAsync(search));
        await LimitedNode.AssertLimitedAsync(await clients[1].GetAsync(search));
    }
}

/// <summary>Redis stops while a node counts its limits there: the node counts alone and goes on answering 429, never 500.</summary>
[Trait("Provider", "sqlite")]
public sealed class RateLimitRedisOutageTests : IAsyncLifetime
{
    private ServiceProcess _redis = null!;
    private string _redisUrl = "";
    private LimitedNode _node = null!;

    public async Task InitializeAsync()
    {
        (_redis, _redisUrl) = await RedisServer.StartOwnAsync();
        _node = new LimitedNode(postgresUrl: null, _redisUrl, nodeId: 23);
        await _node.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task With_redis_stopped_the_node_limits_on_its_own_and_never_answers_500()
    {
        await AssertLoginsLimitedAsync();
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(RedisConfiguration.Parse(_redisUrl)))
            Assert.NotEmpty(redis.GetServer(redis.GetEndPoints()[0]).Keys(pattern: "kamachat:ratelimit:*"));

        Assert.Empty(_node.CounterLog.Warnings);

        _redis.Kill();
        var connection = _node.Services.GetRequiredService<IConnectionMultiplexer>();
        var deadline = DateTime.UtcNow + GatewayClient.Patience;
        while (connection.IsConnected && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.False(connection.IsConnected, "The node did not notice that Redis stopped.");

        // Per account (counted in the handler) and per address (counted in the rate-limiting middleware).
        await AssertLoginsLimitedAsync();
        var ip = LimitedNode.NewIp();
        for (var i = 0; i < LimitedNode.ResetsPerIp; i++)
        {
            var response = await _node.RequestPasswordResetAsync(ip);
            Assert.True(response.IsSuccessStatusCode, $"Expected success, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        await LimitedNode.AssertLimitedAsync(await _node.RequestPasswordResetAsync(ip));
        // Said once for the outage, not once per request.
        Assert.Contains("counted by this node alone", Assert.Single(_node.CounterLog.Warnings), StringComparison.Ordinal);
    }

    private async Task AssertLoginsLimitedAsync()
    {
        var name = Api.UniqueName();
        for (var i = 0; i < LimitedNode.LoginsPerName; i++)
            await (await _node.LoginAsync(name)).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        await LimitedNode.AssertLimitedAsync(await _node.LoginAsync(name));
    }
}
