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
/// running the jobs, each started as the project's own deploy/systemd units and deploy/nginx/kamachat.conf say. The
/// subclasses choose the services: the ones the whole run shares, or their own to restart.
/// </summary>
public abstract partial class Cluster : IAsyncLifetime
{
    protected const int MessageCount = 1000;
    private const string JwtSecret = "cluster-test-secret-that-is-long-enough-for-hs256!";

    private readonly List<ServiceProcess> _processes = [];
    private readonly List<string> _apiDataDirectories = [];
    private string _databaseUrl = "";
    private string _redisUrl = "";
    private (string Host, int Port) _rabbitMq;
    // This test's own queue on the broker (which may be the shared one).
    private readonly string _jobQueue = $"kamachat.cluster-{Guid.NewGuid():N}";
    private int _nginxPort;
    protected ServiceProcess NodeOne { get; private set; } = null!;
    public string WorkerDataDirectory { get; private set; } = "";
    public int NginxPort => _nginxPort;
    public IReadOnlyList<string> ApiDataDirectories => _apiDataDirectories;
    private readonly List<(ServiceProcess Node, int Port)> _nodes = [];
    /// <summary>The KamaChat processes (two API nodes and the worker) and the ports they listen on.</summary>
    protected IEnumerable<ServiceProcess> Nodes => _nodes.Select(n => n.Node);
    protected IEnumerable<int> NodePorts => _nodes.Select(n => n.Port);

    /// <summary>The PostgreSQL database, Redis and RabbitMQ broker the nodes use: by default, the ones the whole run shares.</summary>
    protected virtual async Task<(string DatabaseUrl, string RedisUrl, (string Host, int Port) RabbitMq)> ServicesAsync() =>
        (await PostgresServer.CreateDatabaseAsync(), await RedisServer.UrlAsync(), await RabbitMqServer.EndpointAsync());

    public async Task InitializeAsync()
    {
        (_databaseUrl, _redisUrl, _rabbitMq) = await ServicesAsync();
        var portOne = ServiceProcess.FreeLoopbackPort();
        var portTwo = ServiceProcess.FreeLoopbackPort();
        // The first node alone, as it may apply the migrations; then the other two together.
        (NodeOne, var dataOne) = await StartNodeAsync("kamachat@.service", "1", portOne);
        var two = StartNodeAsync("kamachat@.service", "2", portTwo);
        var worker = StartNodeAsync("kamachat-worker@.service", "1", ServiceProcess.FreeLoopbackPort());
        _apiDataDirectories.AddRange([dataOne, (await two).DataDirectory]);
        WorkerDataDirectory = (await worker).DataDirectory;
        _nginxPort = await StartNginxAsync(portOne, portTwo);
    }

    /// <summary>The mail files a node with no SMTP_URL wrote to <paramref name="address"/>.</summary>
    public static List<string> MailTo(string dataDirectory, string address)
    {
        var mail = Path.Combine(dataDirectory, "mail");
        return Directory.Exists(mail)
            ? Directory.EnumerateFiles(mail, "*.eml").Where(f => File.ReadAllText(f).Contains(address, StringComparison.OrdinalIgnoreCase)).ToList()
            : [];
    }

    protected static string Content(int i) => $"message {i:D4}";

    /// <summary>
    /// Sends message <paramref name="i"/> as a client does: on a 5xx or a dropped request it tries again with the same
    /// nonce, after the answer's Retry-After (at most 2 s here, to keep the test short) or 100 ms. Returns the retries;
    /// <paramref name="refused"/> sees each 5xx answer.
    /// </summary>
    protected static async Task<int> SendWithRetriesAsync(HttpClient http, Snowflake channelId, int i, Func<HttpResponseMessage, Task>? refused = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        for (var attempt = 0; ; attempt++)
        {
            var wait = TimeSpan.FromMilliseconds(100);
            try
            {
                using var response = await http.PostAsJsonAsync($"api/v1/channels/{channelId}/messages",
                    new { content = Content(i), nonce = $"cluster-{i}" });
                if (response.IsSuccessStatusCode)
                    return attempt;
                if ((int)response.StatusCode < 500)
                    Assert.Fail($"message {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                if (refused is not null)
                    await refused(response);
                if (response.Headers.RetryAfter?.Delta is { } retryAfter)
                    wait = retryAfter < TimeSpan.FromSeconds(2) ? retryAfter : TimeSpan.FromSeconds(2);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // The node died under the request; it may or may not have committed. Same nonce again.
            }
            Assert.True(DateTime.UtcNow < deadline, $"message {i} could not be sent in a minute ({attempt + 1} attempts)");
            await Task.Delay(wait);
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
        // Two nodes start at once.
        lock (_processes)
        {
            _processes.Add(node);
            _nodes.Add((node, port));
        }
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

    /// <summary>
    /// The stream's set-up: a sender and four listeners signed up through nginx, a channel for them, and the listeners'
    /// clients connected, on both API nodes; <paramref name="http"/> then sends as the sender.
    /// </summary>
    protected async Task<(Snowflake ChannelId, List<ResumingClient> Clients)> StartStreamAsync(HttpClient http)
    {
        var sender = await http.RegisterAsync();
        var listeners = new List<AuthTokens>();
        for (var i = 0; i < 4; i++)
            listeners.Add(await http.RegisterAsync());
        var channelId = await SeedChannelAsync([sender, .. listeners]);
        var clients = listeners.Select(l => new ResumingClient(new Uri(http.BaseAddress!, "hubs/gateway"), l.AccessToken, channelId)).ToList();
        foreach (var client in clients)
            await client.StartAsync();
        Assert.Contains(clients, c => c.NodeId == 1);
        Assert.Contains(clients, c => c.NodeId == 2);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", sender.AccessToken);
        return (channelId, clients);
    }

    protected async Task<Snowflake> SeedChannelAsync(IReadOnlyList<AuthTokens> users)
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

    protected PostgresKamaDbContext Database() =>
        new(new DbContextOptionsBuilder<PostgresKamaDbContext>().UseNpgsql(_databaseUrl).Options);

    [GeneratedRegex(@"\n\s*server 127\.0\.0\.1:\d+[^\n]*\n\s*server 127\.0\.0\.1:\d+[^\n]*")]
    private static partial Regex UpstreamServers();

    public virtual async Task DisposeAsync()
    {
        foreach (var process in _processes)
            await process.DisposeAsync();
    }
}
