using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Desktop.Tests.Infrastructure;

/// <summary>The real KamaChat server (built by ./kamachat: .artifacts/server and web/dist) on a free loopback port with its own data.</summary>
public sealed class KamaChatServer : IAsyncDisposable
{
    private readonly Process _process;

    private KamaChatServer(Process process, string url)
    {
        _process = process;
        Url = url;
    }

    public string Url { get; }

    public static string RepositoryRoot { get; } = FindRoot();

    public static async Task<KamaChatServer> StartAsync(string dataDirectory)
    {
        var dll = Path.Combine(RepositoryRoot, ".artifacts", "server", "KamaChat.Server.dll");
        var webRoot = Path.Combine(RepositoryRoot, "web", "dist");
        if (!File.Exists(dll) || !File.Exists(Path.Combine(webRoot, "index.html")))
            throw new InvalidOperationException("The server and web client are not built. Run ./kamachat test, or: (cd web && npm run build) && dotnet build src/KamaChat.Server -c Release -o .artifacts/server");
        Directory.CreateDirectory(dataDirectory);
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = dataDirectory, RedirectStandardOutput = false };
        start.ArgumentList.Add(dll);
        start.Environment["HOST"] = "127.0.0.1";
        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["KAMACHAT_DATA_DIR"] = dataDirectory;
        start.Environment["KAMACHAT_WEB_ROOT"] = webRoot;
        start.Environment["NODE_ENV"] = "development";
        start.Environment["PUBLIC_URL"] = url;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "";
        start.Environment["DOTNET_ENVIRONMENT"] = "";
        var process = TiedProcess.Start(start);
        var server = new KamaChatServer(process, url);
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException("The KamaChat server exited during start-up.");
            try
            {
                if ((await http.GetAsync(new Uri(url + "/healthz"))).IsSuccessStatusCode)
                    return server;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The KamaChat server did not answer /healthz.");
            await Task.Delay(200);
        }
    }

    /// <summary>A new account, signed in over the API (the other person in a conversation, or the app's user).</summary>
    public async Task<ApiUser> RegisterAsync(string prefix)
    {
        var username = $"{prefix}{Guid.NewGuid().ToString("N")[..8]}";
        var http = new HttpClient { BaseAddress = new Uri(Url) };
        var response = await http.PostAsJsonAsync("/api/v1/auth/register", new { email = $"{username}@example.test", username, password = ApiUser.Password });
        var tokens = await ApiUser.ReadAsync(response, HttpStatusCode.Created);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("accessToken").GetString());
        return new ApiUser(http, tokens.GetProperty("user").GetProperty("id").GetString()!, username);
    }

    /// <summary>
    /// Signs the user in over the API and returns the session as the web client keeps it in its token storage
    /// (web/src/api/tokens.ts): what the app would have put in the keyring at an earlier sign-in.
    /// </summary>
    public async Task<string> StoredSessionAsync(ApiUser user)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Url) };
        var tokens = await ApiUser.ReadAsync(await http.PostAsJsonAsync("/api/v1/auth/login", new { login = user.Username, password = ApiUser.Password }), HttpStatusCode.OK);
        return JsonSerializer.Serialize(new
        {
            accessToken = tokens.GetProperty("accessToken").GetString(),
            refreshToken = tokens.GetProperty("refreshToken").GetString(),
            sessionId = tokens.GetProperty("sessionId").GetString(),
            userId = tokens.GetProperty("user").GetProperty("id").GetString(),
        });
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "KamaChat.slnx")))
                return directory.FullName;
        }
        throw new InvalidOperationException("The repository root (KamaChat.slnx) is not above the test binaries.");
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit(2000);
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A signed-in account talking to the API.</summary>
public sealed record ApiUser(HttpClient Http, string Id, string Username)
{
    public const string Password = "correct horse battery staple";

    public string AccessToken => Http.DefaultRequestHeaders.Authorization!.Parameter!;

    public async Task<string> SendMessageAsync(string channelId, string content) =>
        (await ReadAsync(await Http.PostAsJsonAsync($"/api/v1/channels/{channelId}/messages", new { content }), HttpStatusCode.Created)).GetProperty("id").GetString()!;

    public async Task<JsonElement> NotificationSettingsAsync() =>
        await ReadAsync(await Http.GetAsync(new Uri("/api/v1/users/@me/notification-settings", UriKind.Relative)), HttpStatusCode.OK);

    public async Task<(string ServerId, string ChannelId)> CreateServerAsync(string name)
    {
        var server = await ReadAsync(await Http.PostAsJsonAsync("/api/v1/servers", new { name }), HttpStatusCode.Created);
        var serverId = server.GetProperty("id").GetString()!;
        var channels = await ReadAsync(await Http.GetAsync(new Uri($"/api/v1/servers/{serverId}/channels", UriKind.Relative)), HttpStatusCode.OK);
        var general = channels.EnumerateArray().First(c => c.GetProperty("type").GetString() == "text");
        return (serverId, general.GetProperty("id").GetString()!);
    }

    public async Task<string> OpenDmAsync(string recipientId)
    {
        var response = await Http.PostAsJsonAsync("/api/v1/users/@me/channels", new { recipientId });
        return (await ReadAsync(response, response.StatusCode == HttpStatusCode.Created ? HttpStatusCode.Created : HttpStatusCode.OK)).GetProperty("id").GetString()!;
    }

    public Task SendAsync(string channelId, string content) => SendMessageAsync(channelId, content);

    public async Task<string> CreateInviteAsync(string serverId) =>
        (await ReadAsync(await Http.PostAsJsonAsync($"/api/v1/servers/{serverId}/invites", new { maxUses = 0, maxAgeSeconds = 0, temporary = false }), HttpStatusCode.Created))
            .GetProperty("code").GetString()!;

    public async Task<bool> IsMemberAsync(string serverId, string userId) =>
        (await Http.GetAsync(new Uri($"/api/v1/servers/{serverId}/members/{userId}", UriKind.Relative))).StatusCode == HttpStatusCode.OK;

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
