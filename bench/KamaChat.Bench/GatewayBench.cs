using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using KamaChat.Server.Features.Gateway;
using KamaChat.Server.Infrastructure.Ids;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace KamaChat.Bench;

/// <summary>C clients in one channel, S senders at a fixed rate: the gateway against a raw WebSocket broadcast, same run.</summary>
public static class GatewayBench
{
    private const int ClientsPerUser = 10;

    public static async Task<int> RunAsync(BenchOptions options)
    {
        Console.WriteLine($"gateway bench: {options.Clients} clients in one channel, {options.Senders} senders x {options.Rate} msg/s, {options.Seconds} s, {Environment.ProcessorCount} cores (generator on the same machine)");

        // --- KamaChat gateway, with its cache and without (KAMACHAT_CACHE=off), each on a fresh server
        var cached = await RunGatewayAsync(options, "gateway", new Dictionary<string, string>());
        var uncached = await RunGatewayAsync(options, "no cache", new Dictionary<string, string> { ["KAMACHAT_CACHE"] = "off" });
        var gateway = cached.Result;

        // --- Baseline: raw WebSocket broadcast on Kestrel, same clients and rate, its own process.
        var rawPort = ServerUnderTest.FreePort();
        using var raw = Process.Start(new ProcessStartInfo("dotnet", $"\"{typeof(GatewayBench).Assembly.Location}\" raw-server --port {rawPort}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        using var probe = new HttpClient();
        for (var i = 0; i < 100 && !await IsUpAsync(probe, rawPort); i++)
            await Task.Delay(100);
        var rawLatency = new LatencyRecorder();
        var sockets = await ConnectAllAsync(options.Clients, _ => ConnectRawAsync(rawPort, rawLatency));
        var baseline = await DriveAsync("baseline", options, rawLatency, Enumerable.Range(0, options.Senders).Select(_ => (Func<HttpClient, long, Task<bool>>)(async (http, stamp) =>
            (await http.PostAsync(new Uri($"http://127.0.0.1:{rawPort}/send"), new StringContent(stamp.ToString(CultureInfo.InvariantCulture)))).IsSuccessStatusCode)).ToList());
        foreach (var socket in sockets)
            socket.Dispose();
        raw.Kill();

        Console.WriteLine();
        Console.WriteLine(gateway.Line());
        Console.WriteLine(uncached.Result.Line());
        Console.WriteLine(baseline.Line());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratio      delivered/s {gateway.DeliveredPerSecond / baseline.DeliveredPerSecond:N2}x baseline, p99 {gateway.P99 / baseline.P99:N1}x baseline"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cache      queries/send {cached.QueriesPerSend:N1} with the cache, {uncached.QueriesPerSend:N1} without ({cached.QueriesPerSend / uncached.QueriesPerSend:N2}x); " +
            $"p50 {gateway.P50:N2} ms vs {uncached.Result.P50:N2} ms ({gateway.P50 / uncached.Result.P50:N2}x), p99 {gateway.P99:N2} ms vs {uncached.Result.P99:N2} ms ({gateway.P99 / uncached.Result.P99:N2}x)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"memory     {cached.BytesPerConnection / 1024:N1} KiB server memory per gateway connection ({options.Clients} connections)"));
        return 0;
    }

    private sealed record GatewayRun(RunResult Result, double QueriesPerSend, double BytesPerConnection);

    /// <summary>A fresh server with these settings: its listeners connected, its senders driven, its SQL commands per send counted from /metrics.</summary>
    private static async Task<GatewayRun> RunGatewayAsync(BenchOptions options, string name, IReadOnlyDictionary<string, string> environment)
    {
        await using var server = await ServerUnderTest.StartAsync(environment);
        var senders = new List<string>();
        for (var i = 0; i < options.Senders; i++)
            senders.Add((await server.RegisterAsync($"sender{i}_{Guid.NewGuid():N}"[..20])).AccessToken);
        var listeners = new List<(string Token, Snowflake Id)>();
        for (var i = 0; i < (options.Clients + ClientsPerUser - 1) / ClientsPerUser; i++)
        {
            var tokens = await server.RegisterAsync($"listener{i}_{Guid.NewGuid():N}"[..22]);
            listeners.Add((tokens.AccessToken, tokens.User.Id));
        }
        var senderIds = new List<Snowflake>();
        foreach (var token in senders)
        {
            server.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            senderIds.Add(Snowflake.Parse((await server.Http.GetFromJsonAsync<JsonElement>("api/v1/users/@me")).GetProperty("id").GetString()!, null));
        }
        server.Http.DefaultRequestHeaders.Authorization = null;
        var channelId = await server.SeedChannelAsync(senderIds.Concat(listeners.Select(l => l.Id)));

        var latency = new LatencyRecorder();
        var before = server.ResidentBytes();
        var connections = await ConnectAllAsync(options.Clients, i => ConnectGatewayAsync(server.BaseAddress, listeners[i / ClientsPerUser].Token, latency));
        await Task.Delay(2000);
        var perConnection = (server.ResidentBytes() - before) / (double)options.Clients;
        var commandsBefore = await server.DatabaseCommandsAsync();
        var sent = 0L;
        var result = await DriveAsync(name, options, latency, senders.Select(token => (Func<HttpClient, long, Task<bool>>)(async (http, stamp) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseAddress, $"api/v1/channels/{channelId}/messages"))
            {
                Content = JsonContent.Create(new { content = stamp.ToString(CultureInfo.InvariantCulture) }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var ok = (await http.SendAsync(request)).IsSuccessStatusCode;
            if (ok)
                Interlocked.Increment(ref sent);
            return ok;
        })).ToList());
        var commands = await server.DatabaseCommandsAsync() - commandsBefore;
        foreach (var connection in connections)
            await connection.DisposeAsync();
        return new GatewayRun(result, sent == 0 ? double.NaN : commands / (double)sent, perConnection);
    }

    private static async Task<bool> IsUpAsync(HttpClient http, int port)
    {
        try
        {
            return (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz"))).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task<List<T>> ConnectAllAsync<T>(int count, Func<int, Task<T>> connect)
    {
        var results = new T[count];
        using var gate = new SemaphoreSlim(32);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                results[i] = await connect(i);
            }
            finally
            {
                gate.Release();
            }
        }));
        return [.. results];
    }

    public static async Task<HubConnection> ConnectGatewayAsync(Uri baseAddress, string token, LatencyRecorder? latency)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, "hubs/gateway"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();
        if (latency is not null)
            connection.On<GatewayEvent>("Event", e =>
            {
                if (e.Type == "MessageCreated" && ReadContent(e.Data) is { } stamp)
                    latency.Record(stamp);
            });
        await connection.StartAsync();
        return connection;
    }

    private static long? ReadContent(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        while (reader.Read())
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("content") && reader.Read())
                return long.TryParse(reader.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
        return null;
    }

    private static async Task<ClientWebSocket> ConnectRawAsync(int port, LatencyRecorder latency)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws"), CancellationToken.None);
        _ = Task.Run(async () =>
        {
            var buffer = new byte[256];
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                        break;
                    if (long.TryParse(Encoding.UTF8.GetString(buffer, 0, result.Count), NumberStyles.None, CultureInfo.InvariantCulture, out var stamp))
                        latency.Record(stamp);
                }
            }
            catch (WebSocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        });
        return socket;
    }

    /// <summary>Each sender sends at the fixed rate for the duration; then we wait for deliveries to drain.</summary>
    private static async Task<RunResult> DriveAsync(string name, BenchOptions options, LatencyRecorder latency, List<Func<HttpClient, long, Task<bool>>> senders)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var sent = 0L;
        var interval = TimeSpan.FromSeconds(1.0 / options.Rate);
        var clock = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(options.Seconds);
        await Task.WhenAll(senders.Select(send => Task.Run(async () =>
        {
            var next = clock.Elapsed;
            while (clock.Elapsed < duration)
            {
                if (await send(http, Stopwatch.GetTimestamp()))
                    Interlocked.Increment(ref sent);
                next += interval;
                var wait = next - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait);
            }
        })));
        var sendSeconds = clock.Elapsed.TotalSeconds;
        var expected = sent * options.Clients;
        var drainUntil = clock.Elapsed + TimeSpan.FromSeconds(10);
        while (latency.Count < expected && clock.Elapsed < drainUntil)
            await Task.Delay(50);
        var (p50, p99, max) = latency.PercentilesMs();
        return new RunResult(name, latency.Count / clock.Elapsed.TotalSeconds, sent / sendSeconds, p50, p99, max, expected, latency.Count);
    }
}
