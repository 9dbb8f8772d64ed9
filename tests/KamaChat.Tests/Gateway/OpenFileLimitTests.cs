using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using KamaChat.Server.Infrastructure.Http;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Gateway;

/// <summary>
/// A node whose clients open more sockets than it may hold files: it refuses the excess and serves the rest. The node
/// runs as its own process under a low open-file limit, as systemd's LimitNOFILE sets it (lower here, to stay quick).
/// </summary>
[Trait("Provider", "sqlite")]
public sealed class OpenFileLimitTests
{
    private const int OpenFileLimit = 1024;
    // More than the limit leaves beside the ~400 files an idle node holds: without a bound the node runs out.
    private const int Flood = 800;

    [Fact]
    public void The_budget_keeps_a_reserve_for_the_node_and_adds_up_within_the_limit()
    {
        Assert.Equal((128, 384), ConnectionLimits.Budget(1024));
        // systemd's LimitNOFILE=65536: a tenth kept back.
        var (connections, upgraded) = ConnectionLimits.Budget(65536);
        Assert.Equal(65536 - 6553, connections + upgraded);
        Assert.Equal(14745, connections);
    }

    [Fact]
    public void The_open_file_limit_is_the_soft_one_and_unlimited_is_none()
    {
        var limits = Path.GetTempFileName();
        try
        {
            File.WriteAllText(limits, """
                Limit                     Soft Limit           Hard Limit           Units
                Max processes             95893                95893                processes
                Max open files            1500                 20000                files
                """);
            Assert.Equal(1500, ConnectionLimits.OpenFileLimit(limits));
            File.WriteAllText(limits, "Max open files            unlimited            unlimited            files\n");
            Assert.Null(ConnectionLimits.OpenFileLimit(limits));
        }
        finally
        {
            File.Delete(limits);
        }
    }

    [Fact]
    public async Task A_node_with_more_clients_than_files_refuses_the_excess_and_serves_the_rest()
    {
        var data = Directory.CreateTempSubdirectory("kamachat-fdlimit-").FullName;
        var port = ServiceProcess.FreeLoopbackPort();
        var address = new Uri($"http://127.0.0.1:{port}/");
        await using var node = ServiceProcess.Start("prlimit",
            $"--nofile={OpenFileLimit}:{OpenFileLimit} dotnet \"{Path.Combine(AppContext.BaseDirectory, "KamaChat.Server.dll")}\"",
            new Dictionary<string, string>
            {
                ["NODE_ENV"] = "production",
                ["HOST"] = "127.0.0.1",
                ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
                ["JWT_SECRET"] = KamaChatApp.JwtSecret,
                ["KAMACHAT_DATA_DIR"] = data,
                ["DATABASE_URL"] = "sqlite://" + Path.Combine(data, "kamachat.db"),
                ["KAMACHAT_LOCAL_JANUS"] = "off",
                ["REQUIRE_EMAIL_VERIFICATION"] = "false",
                ["Logging__LogLevel__Default"] = "Warning",
            }, data);
        await node.WaitForPortAsync(port, TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = address };
        var tokens = await http.RegisterAsync();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        var user = new TestUser(tokens.User.Id, tokens.User.Username, tokens, http);
        var channel = await user.CreateChannelAsync((await user.CreateServerAsync()).Id, "flood");
        await using var listener = await GatewayClient.ConnectAsync(address, tokens.AccessToken);
        await listener.ReadyAsync();

        // The flood: WebSockets that upgrade and then hold their socket, as idle clients do.
        var gateway = GatewayAddress.Of(address, tokens.AccessToken);
        var open = new List<ClientWebSocket>();
        var refused = new List<(HttpStatusCode Status, string? RetryAfter)>();
        using var gate = new SemaphoreSlim(32);
        await Task.WhenAll(Enumerable.Range(0, Flood).Select(async _ =>
        {
            await gate.WaitAsync();
            var socket = new ClientWebSocket { Options = { CollectHttpResponseDetails = true } };
            try
            {
                await socket.ConnectAsync(gateway, CancellationToken.None);
                lock (open)
                    open.Add(socket);
            }
            catch (WebSocketException)
            {
                lock (refused)
                    refused.Add((socket.HttpStatusCode, socket.HttpResponseHeaders?.GetValueOrDefault("Retry-After")?.SingleOrDefault()));
                socket.Dispose();
            }
            finally
            {
                gate.Release();
            }
        }));

        try
        {
            Assert.False(node.HasExited, node.Output);
            var (_, upgraded) = ConnectionLimits.Budget(OpenFileLimit);
            // The listener holds one of the node's WebSockets.
            Assert.Equal(upgraded - 1, open.Count);
            Assert.Equal(Flood - open.Count, refused.Count);
            Assert.All(refused, r => Assert.Equal((HttpStatusCode.ServiceUnavailable, "10"), r));

            // Those already connected are served: a message sent over HTTP reaches the listener.
            await http.SendOkAsync(channel.Id, "still here");
            var created = await listener.WaitForEventAsync("MessageCreated");
            Assert.Equal("still here", GatewayClient.Data(created).GetProperty("content").GetString());
            Assert.True((await http.GetAsync("healthz")).IsSuccessStatusCode);
        }
        finally
        {
            foreach (var socket in open)
                socket.Dispose();
        }

        // Once clients leave, a refused client gets in on its next attempt, as the web client's reconnect loop makes it.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                await using var again = await GatewayClient.ConnectAsync(address, tokens.AccessToken);
                await again.ReadyAsync();
                break;
            }
            catch (Exception e) when (e is HttpRequestException or WebSocketException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
        Assert.False(node.HasExited, node.Output);
        Directory.Delete(data, recursive: true);
    }
}
