using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Servers;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Gateway;

/// <summary>
/// The real deployment shape: two server processes sharing PostgreSQL and Redis behind nginx (with the project's own
/// deploy/nginx/kamachat.conf), one of them killed mid-stream.
/// </summary>
[Collection(RunAlone.Name)]
public sealed partial class ClusterTests : IAsyncLifetime
{
    private const int MessageCount = 1000;
    private const int KillAfter = 300;
    private const string JwtSecret = "cluster-test-secret-that-is-long-enough-for-hs256!";

    private readonly List<ServiceProcess> _processes = [];
    private string _databaseUrl = "";
    private int _nginxPort;
    private ServiceProcess _nodeOne = null!;

    public async Task InitializeAsync()
    {
        _databaseUrl = await PostgresServer.CreateDatabaseAsync();
        var redis = await RedisServer.UrlAsync();
        var portOne = ServiceProcess.FreeLoopbackPort();
        var portTwo = ServiceProcess.FreeLoopbackPort();
        // One after the other: the first applies the migrations.
        _nodeOne = await StartNodeAsync(1, portOne, redis);
        await StartNodeAsync(2, portTwo, redis);
        _nginxPort = await StartNginxAsync(portOne, portTwo);
    }

    [Fact]
    public async Task Clients_on_both_nodes_get_every_message_once_and_in_order_when_a_node_dies_mid_stream()
    {
        var baseUri = new Uri($"http://127.0.0.1:{_nginxPort}/");
        using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(10) };
        var sender = await http.RegisterAsync();
        var listeners = new List<AuthTokens>();
        for (var i = 0; i < 4; i++)
            listeners.Add(await http.RegisterAsync());
        var channelId = await SeedChannelAsync([sender, .. listeners]);

        var clients = listeners.Select(l => new ResumingClient(new Uri(baseUri, "hubs/gateway"), l.AccessToken, channelId)).ToList();
        foreach (var client in clients)
            await client.StartAsync();
        Assert.Contains(clients, c => c.NodeId == 1);
        Assert.Contains(clients, c => c.NodeId == 2);

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", sender.AccessToken);
        var retries = 0;
        for (var i = 0; i < MessageCount; i++)
        {
            if (i == KillAfter)
                _nodeOne.Kill();
            retries += await SendWithRetriesAsync(http, channelId, i);
        }

        var expected = Enumerable.Range(0, MessageCount).Select(i => Content(i)).ToList();
        foreach (var client in clients)
        {
            Assert.True(await client.WaitForAsync(MessageCount, TimeSpan.FromSeconds(60)),
                $"client on node {client.NodeId} applied {client.Applied.Count} of {MessageCount}");
            Assert.Equal(expected, client.Applied);
        }
        // Retries after the kill reused their nonces: the channel holds each message exactly once.
        await using var db = Database();
        Assert.Equal(MessageCount, await db.Messages.CountAsync(m => m.ChannelId == channelId));
        Console.WriteLine($"cluster: {MessageCount} messages, {retries} retried sends, resumes per client: " +
            string.Join(", ", clients.Select(c => $"node{c.NodeId}→{c.Resumes} ({c.DuplicatesDropped} duplicates dropped)")));
        foreach (var client in clients)
            await client.DisposeAsync();
    }

    [Fact]
    public async Task Through_nginx_two_client_addresses_are_rate_limited_separately()
    {
        var baseUri = new Uri($"http://127.0.0.1:{_nginxPort}/");
        using var first = ClientFrom(IPAddress.Parse("127.0.0.2"), baseUri);
        using var second = ClientFrom(IPAddress.Parse("127.0.0.3"), baseUri);

        // Each node counts for itself and nginx spreads the requests over both: go on until both refuse in turn.
        var refusedInARow = 0;
        for (var attempt = 0; refusedInARow < 4; attempt++)
        {
            Assert.True(attempt < 200, "sign-in attempts from one address were never limited");
            var response = await WrongLoginAsync(first);
            refusedInARow = response.StatusCode == HttpStatusCode.TooManyRequests ? refusedInARow + 1 : 0;
        }

        // Another client behind the same nginx still has its own allowance on both nodes.
        for (var i = 0; i < 4; i++)
            await (await WrongLoginAsync(second)).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    private static Task<HttpResponseMessage> WrongLoginAsync(HttpClient client) =>
        client.PostAsJsonAsync("api/v1/auth/login", new { login = Api.UniqueName(), password = "not the password" });

    /// <summary>A client whose connections come from <paramref name="local"/>, one of loopback's many addresses.</summary>
    private static HttpClient ClientFrom(IPAddress local, Uri baseUri) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(10) };

    private static string Content(int i) => $"message {i:D4}";

    private static async Task<int> SendWithRetriesAsync(HttpClient http, Snowflake channelId, int i)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var response = await http.PostAsJsonAsync($"api/v1/channels/{channelId}/messages",
                    new { content = Content(i), nonce = $"cluster-{i}" });
                if (response.IsSuccessStatusCode)
                    return attempt;
                if ((int)response.StatusCode < 500)
                    Assert.Fail($"message {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // The node died under the request; it may or may not have committed. Same nonce again.
            }
            Assert.True(attempt < 50, $"message {i} could not be sent");
            await Task.Delay(100);
        }
    }

    private async Task<ServiceProcess> StartNodeAsync(int nodeId, int port, string redis)
    {
        var data = Directory.CreateTempSubdirectory("kamachat-node-").FullName;
        var node = ServiceProcess.Start("dotnet", $"\"{Path.Combine(AppContext.BaseDirectory, "KamaChat.Server.dll")}\"", new Dictionary<string, string>
        {
            ["NODE_ENV"] = "production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["NODE_ID"] = nodeId.ToString(CultureInfo.InvariantCulture),
            ["HOST"] = "127.0.0.1",
            ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["JWT_SECRET"] = JwtSecret,
            ["DATABASE_URL"] = _databaseUrl,
            ["REDIS_URL"] = redis,
            ["KAMACHAT_DATA_DIR"] = data,
            ["Logging__LogLevel__Default"] = "Warning",
            // One sender streams 1,000 messages as fast as it can: far above a person's message budget.
            ["RateLimits__MessageSend__PerAccount"] = "1000000",
        }, data);
        _processes.Add(node);
        await node.WaitForPortAsync(port, TimeSpan.FromSeconds(60));
        using var http = new HttpClient();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if ((await http.GetAsync($"http://127.0.0.1:{port}/readyz")).IsSuccessStatusCode)
                return node;
            await Task.Delay(200);
        }
        throw new TimeoutException($"node {nodeId} never became ready: {node.Output}");
    }

    private async Task<int> StartNginxAsync(int portOne, int portTwo)
    {
        var nginx = new[] { "/usr/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("nginx was not found. Install Debian's 'nginx-light' package.");
        var port = ServiceProcess.FreeLoopbackPort();
        var prefix = Directory.CreateTempSubdirectory("kamachat-nginx-").FullName;
        File.SetUnixFileMode(prefix, (UnixFileMode)0b111_111_111);

        // The project's own config, pointed at this test's nodes and port.
        var site = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "deploy", "nginx", "kamachat.conf"));
        site = UpstreamServers().Replace(site, "", 1);
        site = site.Replace("least_conn;", $"least_conn;\n    server 127.0.0.1:{portOne} max_fails=1 fail_timeout=5s;\n    server 127.0.0.1:{portTwo} max_fails=1 fail_timeout=5s;", StringComparison.Ordinal);
        site = site.Replace("listen 80;", $"listen 127.0.0.1:{port};", StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(prefix, "kamachat.conf"), site);
        await File.WriteAllTextAsync(Path.Combine(prefix, "nginx.conf"), $$"""
            worker_processes 1;
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{prefix}}/body;
                proxy_temp_path {{prefix}}/proxy;
                fastcgi_temp_path {{prefix}}/fastcgi;
                uwsgi_temp_path {{prefix}}/uwsgi;
                scgi_temp_path {{prefix}}/scgi;
                include {{prefix}}/kamachat.conf;
            }
            """);
        var process = ServiceProcess.Start(nginx, $"-p {prefix} -c {prefix}/nginx.conf -g \"daemon off;\"");
        _processes.Add(process);
        await process.WaitForPortAsync(port, TimeSpan.FromSeconds(20));
        return port;
    }

    private async Task<Snowflake> SeedChannelAsync(IReadOnlyList<AuthTokens> users)
    {
        await using var db = Database();
        var serverId = GatewaySeed.NewId();
        var channelId = GatewaySeed.NewId();
        var owner = users[0].User.Id;
        db.Servers.Add(new ChatServer { Id = serverId, Name = "Cluster", OwnerId = owner, CreatedAt = DateTimeOffset.UtcNow });
        db.Roles.Add(new Role { Id = serverId, ServerId = serverId, Name = Role.EveryoneName, Permissions = P.DefaultEveryone });
        foreach (var user in users)
            db.Members.Add(new Member { ServerId = serverId, UserId = user.User.Id, JoinedAt = DateTimeOffset.UtcNow });
        db.Channels.Add(new Channel { Id = channelId, ServerId = serverId, Type = ChannelType.Text, Name = "general", CreatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
        // Production requires verified addresses to send; these accounts verified theirs.
        var ids = users.Select(u => u.User.Id).ToList();
        await db.Users.Where(u => ids.Contains(u.Id)).ExecuteUpdateAsync(s => s.SetProperty(u => u.EmailConfirmed, true));
        return channelId;
    }

    private PostgresKamaDbContext Database() =>
        new(new DbContextOptionsBuilder<PostgresKamaDbContext>().UseNpgsql(_databaseUrl).Options);

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "KamaChat.slnx")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("The repository root was not found.");
    }

    [GeneratedRegex(@"\n\s*server 127\.0\.0\.1:\d+[^\n]*\n\s*server 127\.0\.0\.1:\d+[^\n]*")]
    private static partial Regex UpstreamServers();

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
            await process.DisposeAsync();
    }
}
