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
/// The real deployment shape: two API nodes sharing PostgreSQL, Redis and RabbitMQ behind nginx, and a worker node
/// running the jobs, each started as the project's own deploy/systemd units and deploy/nginx/kamachat.conf say; one API
/// node is killed mid-stream.
/// </summary>
[Collection(RunAlone.Name)]
public sealed partial class ClusterTests : IAsyncLifetime
{
    private const int MessageCount = 1000;
    private const int KillAfter = 300;
    private const string JwtSecret = "cluster-test-secret-that-is-long-enough-for-hs256!";

    private readonly List<ServiceProcess> _processes = [];
    private readonly List<string> _apiDataDirectories = [];
    private string _databaseUrl = "";
    private string _redisUrl = "";
    private (string Host, int Port) _rabbitMq;
    // This test's own queue on the shared broker.
    private readonly string _jobQueue = $"kamachat.cluster-{Guid.NewGuid():N}";
    private int _nginxPort;
    private ServiceProcess _nodeOne = null!;
    private string _workerDataDirectory = "";

    public async Task InitializeAsync()
    {
        _databaseUrl = await PostgresServer.CreateDatabaseAsync();
        _redisUrl = await RedisServer.UrlAsync();
        _rabbitMq = await RabbitMqServer.EndpointAsync();
        var portOne = ServiceProcess.FreeLoopbackPort();
        var portTwo = ServiceProcess.FreeLoopbackPort();
        // One after the other: the first applies the migrations.
        (_nodeOne, var dataOne) = await StartNodeAsync("kamachat@.service", "1", portOne);
        var (_, dataTwo) = await StartNodeAsync("kamachat@.service", "2", portTwo);
        _apiDataDirectories.AddRange([dataOne, dataTwo]);
        (_, _workerDataDirectory) = await StartNodeAsync("kamachat-worker@.service", "1", ServiceProcess.FreeLoopbackPort());
        _nginxPort = await StartNginxAsync(portOne, portTwo);
    }

    [Fact]
    public async Task Jobs_queued_by_the_api_nodes_run_on_the_worker_node()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_nginxPort}/"), Timeout = TimeSpan.FromSeconds(10) };
        var tokens = await http.RegisterAsync();
        var address = $"{tokens.User.Username}@example.test";

        // Signing up queues the verification mail; with no SMTP_URL the node that runs the job files it as .eml.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (MailTo(_workerDataDirectory, address).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the worker node never sent the verification mail");
            await Task.Delay(200);
        }
        Assert.Single(MailTo(_workerDataDirectory, address));
        // KAMACHAT_ROLES=api (the unit's): the API nodes queue jobs and never run them.
        Assert.All(_apiDataDirectories, directory => Assert.Empty(MailTo(directory, address)));
    }

    private static List<string> MailTo(string dataDirectory, string address)
    {
        var mail = Path.Combine(dataDirectory, "mail");
        return Directory.Exists(mail)
            ? Directory.EnumerateFiles(mail, "*.eml").Where(f => File.ReadAllText(f).Contains(address, StringComparison.OrdinalIgnoreCase)).ToList()
            : [];
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

    /// <summary>A node as its systemd unit starts it (NODE_ID, roles, log format...), with this test's services, port and data.</summary>
    private async Task<(ServiceProcess Node, string DataDirectory)> StartNodeAsync(string unit, string instance, int port)
    {
        var data = Directory.CreateTempSubdirectory("kamachat-node-").FullName;
        var environment = await SystemdUnit.EnvironmentAsync(unit, instance);
        Assert.Equal("production", environment["NODE_ENV"]);
        foreach (var (name, value) in new Dictionary<string, string>
        {
            // What /etc/kamachat/kamachat.env would say, pointed at this test's throwaway services.
            ["JWT_SECRET"] = JwtSecret,
            ["DATABASE_URL"] = _databaseUrl,
            ["REDIS_URL"] = _redisUrl,
            ["HOST_RABBITMQ"] = _rabbitMq.Host,
            ["PORT_RABBITMQ"] = _rabbitMq.Port.ToString(CultureInfo.InvariantCulture),
            ["KAMACHAT_JOB_QUEUE"] = _jobQueue,
            // The test's own port and data directory instead of 300N and /var/lib/kamachat.
            ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["KAMACHAT_DATA_DIR"] = data,
            ["Logging__LogLevel__Default"] = "Warning",
            ["KAMACHAT_LOCAL_JANUS"] = "off",
            // One sender streams 1,000 messages as fast as it can: far above a person's message budget.
            ["RateLimits__MessageSend__PerAccount"] = "1000000",
        })
            environment[name] = value;
        var node = ServiceProcess.Start("dotnet", $"\"{Path.Combine(AppContext.BaseDirectory, "KamaChat.Server.dll")}\"", environment, data);
        _processes.Add(node);
        await node.WaitForPortAsync(port, TimeSpan.FromSeconds(60));
        using var http = new HttpClient();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if ((await http.GetAsync($"http://127.0.0.1:{port}/readyz")).IsSuccessStatusCode)
                return (node, data);
            await Task.Delay(200);
        }
        throw new TimeoutException($"{unit} {instance} never became ready: {node.Output}");
    }

    private async Task<int> StartNginxAsync(int portOne, int portTwo)
    {
        var nginx = new[] { "/usr/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("nginx was not found. Install Debian's 'nginx-light' package.");
        var port = ServiceProcess.FreeLoopbackPort();
        var prefix = Directory.CreateTempSubdirectory("kamachat-nginx-").FullName;
        File.SetUnixFileMode(prefix, (UnixFileMode)0b111_111_111);

        // The project's own config, pointed at this test's nodes and port.
        var site = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "deploy", "nginx", "kamachat.conf"));
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

    [GeneratedRegex(@"\n\s*server 127\.0\.0\.1:\d+[^\n]*\n\s*server 127\.0\.0\.1:\d+[^\n]*")]
    private static partial Regex UpstreamServers();

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
            await process.DisposeAsync();
    }
}
