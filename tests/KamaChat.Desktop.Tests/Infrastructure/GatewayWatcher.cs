using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace KamaChat.Desktop.Tests.Infrastructure;

/// <summary>
/// Another user's gateway connection, as their own client would hold it: it sees the presence the app user shows
/// (Ready's snapshot, then Presence signals). A user online here means the app's client is connected. It can also
/// ring the app user, as a caller whose media does not matter.
/// </summary>
public sealed class GatewayWatcher : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly ConcurrentDictionary<string, string> _presence = new();

    private GatewayWatcher(HubConnection connection) => _connection = connection;

    public static async Task<GatewayWatcher> ConnectAsync(KamaChatServer server, ApiUser user)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(server.Url + "/hubs/gateway", options =>
            {
                options.AccessTokenProvider = () => Task.FromResult<string?>(user.AccessToken);
                options.SkipNegotiation = true;
                options.Transports = HttpTransportType.WebSockets;
            })
            .Build();
        var watcher = new GatewayWatcher(connection);
        connection.On<JsonElement>("Ready", ready =>
        {
            foreach (var presence in ready.GetProperty("presences").EnumerateArray())
                watcher._presence[presence.GetProperty("userId").GetString()!] = presence.GetProperty("status").GetString()!;
        });
        connection.On<JsonElement>("Presence", presence => watcher._presence[presence.GetProperty("userId").GetString()!] = presence.GetProperty("status").GetString()!);
        await connection.StartAsync();
        return watcher;
    }

    public Task WaitForPresenceAsync(string userId, string status) => DesktopSession.WaitUntilAsync(
        () => Task.FromResult(_presence.TryGetValue(userId, out var seen) && seen == status), $"user {userId} to show as {status}");

    /// <summary>Calls a hub method as this user's client would (StartCall, LeaveCall).</summary>
    public Task InvokeAsync(string method, params object[] arguments) => _connection.InvokeCoreAsync(method, arguments);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
