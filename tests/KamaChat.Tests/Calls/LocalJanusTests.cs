using System.Diagnostics;
using System.Globalization;
using System.Net;
using KamaChat.Server.Infrastructure.Janus;
using KamaChat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace KamaChat.Tests.Calls;

/// <summary>
/// The local Janus a server runs when no JANUS_URL is set and the janus binary is installed: it starts with the
/// server on loopback with secrets of its own, loads only what it needs, and never outlives the server. (It binds
/// loopback only and nothing here sends media, so these tests need no namespace.)
/// </summary>
public sealed class LocalJanusTests
{
    private sealed class LocalJanusApp(IEnumerable<KeyValuePair<string, string>> settings) : KamaChatApp
    {
        public override string ProviderName => "sqlite";

        protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings => settings;

        protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));
    }

    [Fact]
    public async Task A_server_without_JANUS_URL_runs_a_local_Janus_on_loopback_and_stops_it_when_it_stops()
    {
        var app = new LocalJanusApp([new("KAMACHAT_LOCAL_JANUS", "auto")]);
        await app.InitializeAsync();
        int janusPid;
        try
        {
            var mediaServer = app.Services.GetRequiredService<MediaServer>();
            var local = app.Services.GetRequiredService<MediaServerHost>().Local!;
            Assert.True(mediaServer.IsLocal);
            Assert.Equal(IPAddress.Loopback.ToString(), mediaServer.Janus!.ApiUrl.Host);
            janusPid = ChildOf(local.ProcessId, "janus");

            // Only the VideoRoom plugin and the HTTP transport, from files only the server's user can read.
            var config = local.Config.Directory;
            Assert.Equal(["libjanus_videoroom.so"], Directory.GetFiles(Path.Combine(config, "plugins")).Select(Path.GetFileName));
            Assert.Equal(["libjanus_http.so"], Directory.GetFiles(Path.Combine(config, "transports")).Select(Path.GetFileName));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(config, "janus.jcfg")));

            // The server's secrets open it; none other does.
            var rooms = app.Services.GetRequiredService<VideoRooms>();
            Assert.True(await rooms.EnsureRoomAsync(4242, new VideoRoomSettings("local"), CancellationToken.None));
            await using var alice = await rooms.JoinAsync(4242, 1, "alice", MediaKinds.All, CancellationToken.None);
            using var http = new HttpClient();
            var refused = await Assert.ThrowsAsync<JanusException>(() =>
                JanusSession.CreateAsync(http, mediaServer.Janus with { ApiSecret = null }, NullLogger.Instance, CancellationToken.None));
            Assert.Equal(JanusException.Unauthorized, refused.Code);
        }
        finally
        {
            await app.DisposeAsync();
        }
        Assert.False(Directory.Exists($"/proc/{janusPid}"), "Janus is still running after the server stopped");
    }

    [Fact]
    public async Task Without_JANUS_URL_and_without_the_binary_calls_run_peer_to_peer()
    {
        await using var app = new LocalJanusApp([new("KAMACHAT_LOCAL_JANUS", "auto"), new("KAMACHAT_JANUS_BINARY", "/nonexistent/janus")]);
        await app.InitializeAsync();

        Assert.Null(app.Services.GetRequiredService<MediaServer>().Janus);
        Assert.Null(app.Services.GetRequiredService<MediaServerHost>().Local);
    }

    [Fact]
    public async Task A_killed_server_leaves_no_Janus_behind()
    {
        var data = Directory.CreateTempSubdirectory("kamachat-janus-node-").FullName;
        await using var server = ServiceProcess.Start("dotnet", $"\"{Path.Combine(AppContext.BaseDirectory, "KamaChat.Server.dll")}\"", new Dictionary<string, string>
        {
            ["NODE_ENV"] = "development",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["HOST"] = "127.0.0.1",
            ["PORT"] = ServiceProcess.FreeLoopbackPort().ToString(CultureInfo.InvariantCulture),
            ["KAMACHAT_DATA_DIR"] = data,
            // Only the media server matters here: no database to prepare first.
            ["KAMACHAT_MIGRATE"] = "false",
        }, data);
        // The start-up log says where voice goes, once the local Janus answers.
        var started = Stopwatch.StartNew();
        while (!server.Output.Contains("Voice and video: through a local Janus this server runs", StringComparison.Ordinal))
        {
            Assert.False(server.HasExited, $"the server exited: {server.Output}");
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(60), $"no line about voice in the start-up log: {server.Output}");
            await Task.Delay(50);
        }
        var janusPid = ChildOf(ChildOf(server.ProcessId, "sh"), "janus");

        server.Kill();

        var stopwatch = Stopwatch.StartNew();
        while (Directory.Exists($"/proc/{janusPid}") && stopwatch.Elapsed < TimeSpan.FromSeconds(10))
            await Task.Delay(100);
        Assert.False(Directory.Exists($"/proc/{janusPid}"), "Janus outlived the killed server");
        Directory.Delete(data, recursive: true);
    }

    /// <summary>A process's one child with this name (the server's watchdog shell, its Janus), whichever thread started it.</summary>
    private static int ChildOf(int pid, string name)
    {
        var children = Directory.GetDirectories($"/proc/{pid}/task")
            .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(child => File.ReadAllText($"/proc/{child}/comm").Trim() == name);
        return int.Parse(Assert.Single(children), CultureInfo.InvariantCulture);
    }
}
