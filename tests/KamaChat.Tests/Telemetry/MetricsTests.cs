using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using KamaChat.Server.Features.Channels;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Telemetry;

/// <summary>A node whose scrape endpoint opens with a token (the in-memory test server has no remote address to allow).</summary>
public abstract class MetricsApp : KamaChatApp
{
    public const string Token = "metrics-token-for-the-tests-0123456789";

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings => [new("METRICS_TOKEN", Token)];
}

public sealed class MetricsSqliteApp : MetricsApp
{
    public override string ProviderName => "sqlite";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));
}

public sealed class MetricsPostgresApp : MetricsApp
{
    public override string ProviderName => "postgres";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => PostgresServer.CreateDatabaseAsync();
}

/// <summary>One sample of a scrape, as the Prometheus client library parsed it.</summary>
public sealed record MetricSample(string Family, string Type, string Name, Dictionary<string, string> Labels, double Value);

/// <summary>
/// /metrics after real traffic, read by the official Prometheus parser. Alone: meters are per app, but a MeterProvider
/// listens by meter name, so another test class's app running at the same moment could add to these counts.
/// </summary>
[Collection(RunAlone.Name)]
public abstract class MetricsTests(MetricsApp app)
{
    [Fact]
    public async Task After_chat_traffic_the_scrape_parses_and_counts_connections_events_requests_and_jobs()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await member.JoinAsync(owner, server.Id);
        var channels = await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/channels")).ReadAsync<List<ChannelResponse>>();
        var general = channels.Single(c => c.Name == "general").Id;
        await using (var listener = await GatewayClient.ConnectAsync(app, member.Tokens.AccessToken))
        {
            await listener.ReadyAsync();
            var connected = await ScrapeAsync();
            Assert.Equal(1, Value(connected, "kamachat_gateway_connections"));

            await owner.Client.SendOkAsync(general, "counted");
            await listener.WaitForEventAsync("MessageCreated");
        }

        // Signing up queued verification mail: the job ran (in-process queue) before the scrape below, or soon after.
        // The server sees the socket close a moment after the client does.
        var scrape = await ScrapeUntilAsync(s =>
            Sum(s, "kamachat_jobs_runs_total", ("outcome", "succeeded")) >= 2 && Value(s, "kamachat_gateway_connections") == 0);
        Assert.True(Sum(scrape, "kamachat_jobs_enqueued_total") >= 2);
        Assert.True(Sum(scrape, "kamachat_gateway_events_total", ("scope", "channel")) >= 1);
        // The delivery delay is a histogram with buckets, tagged with the path (this node's own commit).
        Assert.True(Sum(scrape, "kamachat_gateway_delivery_lag_seconds_count", ("path", "local")) >= 1);
        Assert.Contains(scrape, s => s.Name == "kamachat_gateway_delivery_lag_seconds_bucket" && s.Labels["le"] == "+Inf");
        Assert.Equal(0, Value(scrape, "kamachat_gateway_connections"));
        // The framework's own: HTTP requests by route and status, the runtime.
        Assert.True(Sum(scrape, "http_server_request_duration_seconds_count", ("http_route", "/api/v1/channels/{id:snowflake}/messages"), ("http_request_method", "POST")) >= 1);
        // Its buckets split the first milliseconds (the framework's own start at 5 ms), so a p99 of 3 ms can be read.
        Assert.Contains(scrape, s => s.Name == "http_server_request_duration_seconds_bucket" && s.Labels["le"] == "0.002");
        Assert.Contains(scrape, s => s.Family == "dotnet_gc_heap_total_allocated_bytes" && s.Value > 0);

        // The Grafana dashboard in deploy/ charts only what a node exports (dead letters appear after the first one).
        var dashboard = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "deploy", "grafana", "kamachat.json"));
        var charted = Regex.Matches(dashboard, @"\b(?:kamachat|http_server|dotnet)_[a-z_]+").Select(m => m.Value).ToHashSet();
        Assert.NotEmpty(charted);
        var exported = scrape.Select(s => s.Name).ToHashSet();
        Assert.Empty(charted.Except(["kamachat_jobs_dead_lettered_total"]).Except(exported));
    }

    [Fact]
    public async Task Without_the_token_the_endpoint_is_not_there()
    {
        var anonymous = await app.CreateClient().GetAsync("/metrics");
        var wrong = app.CreateClient();
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MetricsApp.Token + "x");
        var user = await app.UserAsync();

        Assert.Equal(HttpStatusCode.NotFound, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await wrong.GetAsync("/metrics")).StatusCode);
        // A signed-in user is no scraper either.
        Assert.Equal(HttpStatusCode.NotFound, (await user.Client.GetAsync("/metrics")).StatusCode);
        Assert.DoesNotContain("kamachat_", await anonymous.Content.ReadAsStringAsync());
    }

    private async Task<List<MetricSample>> ScrapeAsync()
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MetricsApp.Token);
        var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await PrometheusText.ParseAsync(await response.Content.ReadAsStringAsync());
    }

    /// <summary>Scrapes until <paramref name="done"/> holds; the exporter caches a scrape for 300 ms and jobs run in the background.</summary>
    private async Task<List<MetricSample>> ScrapeUntilAsync(Func<List<MetricSample>, bool> done)
    {
        var deadline = DateTime.UtcNow + GatewayClient.Patience;
        while (true)
        {
            var scrape = await ScrapeAsync();
            if (done(scrape) || DateTime.UtcNow > deadline)
                return scrape;
            await Task.Delay(200);
        }
    }

    private static double Value(List<MetricSample> scrape, string name) => scrape.Single(s => s.Name == name).Value;

    private static double Sum(List<MetricSample> scrape, string name, params (string Label, string Value)[] labels) =>
        scrape.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Label) == l.Value)).Sum(s => s.Value);
}

[Trait("Provider", "sqlite")]
public sealed class SqliteMetricsTests(MetricsSqliteApp app) : MetricsTests(app), IClassFixture<MetricsSqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresMetricsTests(MetricsPostgresApp app) : MetricsTests(app), IClassFixture<MetricsPostgresApp>
{
    [Fact]
    public async Task Npgsql_reports_its_commands()
    {
        await app.UserAsync();
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MetricsApp.Token);
        var scrape = await PrometheusText.ParseAsync(await client.GetStringAsync("/metrics"));

        Assert.Contains(scrape, s => s.Family.StartsWith("db_client_", StringComparison.Ordinal) && s.Labels.GetValueOrDefault("otel_scope_name") == "Npgsql" && s.Value > 0);
    }
}

/// <summary>On a real socket, with no token configured: this machine may scrape, as the default allow-list says.</summary>
[Trait("Provider", "sqlite")]
public sealed class LoopbackMetricsTests(KestrelSqliteApp app) : IClassFixture<KestrelSqliteApp>
{
    [Fact]
    public async Task A_scraper_on_this_machine_needs_no_token()
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };

        var scrape = await PrometheusText.ParseAsync(await client.GetStringAsync("/metrics"));

        Assert.Contains(scrape, s => s.Name == "kamachat_gateway_connections");
        // Kestrel's buffer pool, counted on every block a connection's write rents: not listened to, so not updated.
        Assert.DoesNotContain(scrape, s => s.Family.StartsWith("aspnetcore_memory_pool", StringComparison.Ordinal));
    }
}

/// <summary>Parses a scrape with the Prometheus client library (tests/support/prometheus-parse.py).</summary>
public static class PrometheusText
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<List<MetricSample>> ParseAsync(string text)
    {
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(Repository.Root, "tests", "support", "prometheus-parse.py"));
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(text);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0,
            $"The Prometheus parser refused the scrape (install Debian's python3-prometheus-client): {await error}\n{text[..Math.Min(text.Length, 2000)]}");
        return JsonSerializer.Deserialize<List<MetricSample>>(await output, Json)!;
    }
}
