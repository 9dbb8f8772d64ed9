using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Infrastructure.Ids;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Bench;

/// <summary>
/// ./kamachat bench bigserver, part (b): with <see cref="Connected"/> members of the big server connected (half of them
/// holding its staff role), the time from a role change, and from an overwrite change, until every affected client has its
/// new state, and what that cost: the database commands the server ran and the fresh Readies (Refresh) clients asked for.
/// Two clients side by side in the same run: the old web client (a fresh Ready after every role event, and after an
/// update for a channel it did not have) as the baseline, and today's (the ServerView sent to the affected alone).
/// </summary>
public static class RoleChangeBench
{
    public const int Connected = 5000;
    public const string Secret = "bench-secret-bench-secret-bench-secret-0123456789";

    /// <summary>The big server as seeded: its staff role, a channel for the overwrite, and members with a session each.</summary>
    public sealed record Seeded(Snowflake ServerId, Snowflake StaffRoleId, Snowflake OverwriteChannelId, List<(Snowflake User, Snowflake Session, bool Staff)> Members);

    private sealed class Client(HubConnection connection, bool staff)
    {
        public HubConnection Connection { get; } = connection;
        public bool Staff { get; } = staff;
        public HashSet<string> Channels { get; set; } = [];
        public int Events;
        public int Views;
        public int Reached;
        public int Refreshes;
        public int FailedRefreshes;
        public int Pending;
        public long LastDone;
    }

    public static string Token(Snowflake userId, Snowflake sessionId)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "kamachat",
            Audience = "kamachat",
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(2),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(Secret)), TokenService.SigningAlgorithm),
            Subject = new ClaimsIdentity([new Claim(JwtRegisteredClaimNames.Sub, userId.ToString()), new Claim(TokenService.SessionClaim, sessionId.ToString())]),
        });
    }

    public static async Task<List<string>> MeasureAsync(string engine, ServerUnderTest server, string ownerToken, Seeded seeded, Action<string> log)
    {
        var oldClient = false;
        var clients = new ConcurrentBag<Client>();
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(seeded.Members, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (m, ct) =>
        {
            var connection = new HubConnectionBuilder().WithUrl(new Uri(server.BaseAddress, "hubs/gateway"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                var token = Token(m.User, m.Session);
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            }).Build();
            // Thousands of handshakes and pings on a busy 2-core machine: slow is not dead here.
            connection.HandshakeTimeout = TimeSpan.FromMinutes(1);
            connection.ServerTimeout = TimeSpan.FromMinutes(3);
            var client = new Client(connection, m.Staff);
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var big = seeded.ServerId.ToString();
            HashSet<string> ChannelsOf(JsonElement payload) => payload.GetProperty("servers").EnumerateArray()
                .First(s => s.GetProperty("id").GetString() == big).GetProperty("channels").EnumerateArray()
                .Select(c => c.GetProperty("id").GetString()!).ToHashSet();
            connection.On<JsonElement>("Ready", payload =>
            {
                client.Channels = ChannelsOf(payload);
                ready.TrySetResult();
            });
            connection.On<JsonElement>("ServerView", view =>
            {
                if (oldClient)
                {
                    // Today's server tells a member who gains or loses a channel by a view alone: the channel's own
                    // event goes to those who see it. The old client knew no views; what it did on the old server's
                    // update of a channel it lacked (a fresh Ready) stands in for a view that shows it one; a view that
                    // only hides channels it met as nothing, so it is reached but does no work.
                    var shown = view.GetProperty("channels").EnumerateArray().Any(c => !client.Channels.Contains(c.GetProperty("id").GetString()!));
                    if (shown)
                        RefreshInBackground(connection, client, ChannelsOf);
                    Interlocked.Increment(ref client.Reached);
                    return;
                }
                Interlocked.Increment(ref client.Views);
                Interlocked.Increment(ref client.Reached);
                Volatile.Write(ref client.LastDone, Stopwatch.GetTimestamp());
            });
            connection.On<JsonElement>("Event", e =>
            {
                var type = e.GetProperty("type").GetString();
                var data = JsonDocument.Parse(e.GetProperty("data").GetString()!).RootElement;
                // What the web client did before views: a fresh Ready for any role event, or an update of a channel it lacked.
                var refresh = type is "RoleUpdated" or "RoleDeleted" ||
                    (type == "ChannelUpdated" && !client.Channels.Contains(data.GetProperty("id").GetString()!));
                if (type == "ChannelDeleted")
                    client.Channels.Remove(data.GetProperty("id").GetString()!);
                if (oldClient && refresh)
                    RefreshInBackground(connection, client, ChannelsOf);
                Interlocked.Increment(ref client.Events);
                Interlocked.Increment(ref client.Reached);
            });
            await connection.StartAsync(ct);
            await ready.Task.WaitAsync(TimeSpan.FromMinutes(2), ct);
            clients.Add(client);
        });
        log(string.Create(CultureInfo.InvariantCulture, $"{clients.Count:N0} connected in {Stopwatch.GetElapsedTime(started).TotalSeconds:N1} s"));

        using var owner = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        owner.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ownerToken);
        var staffPermissions = P.ViewChannel | P.SendMessages | P.ReadMessageHistory;
        var view = ((long)P.ViewChannel).ToString(CultureInfo.InvariantCulture);
        var changes = new (string Name, Func<int, Task> Apply)[]
        {
            ("role", async i => (await owner.PatchAsJsonAsync($"/api/v1/servers/{seeded.ServerId}/roles/{seeded.StaffRoleId}",
                new { permissions = ((long)(i % 2 == 0 ? staffPermissions | P.ManageMessages : staffPermissions)).ToString(CultureInfo.InvariantCulture) })).EnsureSuccessStatusCode()),
            ("overwrite", async i => (i % 2 == 0
                ? await owner.PutAsJsonAsync($"/api/v1/channels/{seeded.OverwriteChannelId}/permissions/role/{seeded.StaffRoleId}", new { allow = "0", deny = view })
                : await owner.DeleteAsync($"/api/v1/channels/{seeded.OverwriteChannelId}/permissions/role/{seeded.StaffRoleId}")).EnsureSuccessStatusCode()),
        };
        var all = clients.ToList();
        var affected = all.Count(c => c.Staff);
        var lines = new List<string>();
        // Today's client first: the old one's 5,000 fresh Readies may not finish, and its line then says so.
        foreach (var old in new[] { false, true })
        {
            oldClient = old;
            foreach (var (name, apply) in changes)
            {
                var times = new List<double>();
                long commands = 0, refreshes = 0, views = 0;
                var unfinished = false;
                // Twice: on and back off (hidden then shown again, for the overwrite).
                for (var i = 0; i < 2; i++)
                {
                    foreach (var c in all)
                        (c.Events, c.Views, c.Reached, c.Refreshes, c.FailedRefreshes, c.LastDone) = (0, 0, 0, 0, 0, 0);
                    var before = await server.DatabaseCommandsAsync();
                    var start = Stopwatch.GetTimestamp();
                    await apply(i);
                    var patience = TimeSpan.FromMinutes(old ? 1 : 3);
                    var deadline = DateTime.UtcNow + patience;
                    // Done: every client has heard of the change (its event, or its view when it gained or lost the
                    // channel: those get no event), no fresh Ready is under way, and (today's client) every affected one its view.
                    while (!(all.All(c => Volatile.Read(ref c.Reached) > 0 && Volatile.Read(ref c.Pending) == 0) &&
                             (old || all.Count(c => Volatile.Read(ref c.Views) > 0) >= affected)))
                    {
                        if (DateTime.UtcNow > deadline && !old)
                            throw new TimeoutException($"{name}: not every client got its new state in {patience.TotalMinutes} minutes");
                        if (DateTime.UtcNow > deadline)
                            break;
                        await Task.Delay(5);
                    }
                    // The old client out of patience: the time is at least the patience, and the line says so.
                    unfinished |= DateTime.UtcNow > deadline;
                    while (unfinished && all.Any(c => Volatile.Read(ref c.Pending) > 0) && DateTime.UtcNow < deadline + TimeSpan.FromMinutes(2))
                        await Task.Delay(50);
                    var last = all.Max(c => Volatile.Read(ref c.LastDone));
                    times.Add(unfinished ? patience.TotalMilliseconds : Stopwatch.GetElapsedTime(start, Math.Max(last, start)).TotalMilliseconds);
                    // The node's background work settles; its commands are part of the change's cost.
                    await Task.Delay(300);
                    commands += await server.DatabaseCommandsAsync() - before;
                    refreshes += all.Sum(c => c.Refreshes);
                    if (all.Sum(c => c.FailedRefreshes) is > 0 and var failed)
                        log(string.Create(CultureInfo.InvariantCulture, $"{name}, old client: {failed:N0} fresh Readies refused or failed"));
                    views += all.Sum(c => c.Views);
                    // Out of patience once is the answer: more rounds would only queue more fresh Readies.
                    if (unfinished)
                        break;
                }
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{engine,-9} {name,-10} {(old ? "old: Refresh" : "ServerView"),-13} {(unfinished ? ">" : "") + times.Average().ToString("N0", CultureInfo.InvariantCulture),10} {commands / (double)times.Count,10:N0} {refreshes / (double)times.Count,10:N0} {views / (double)times.Count,8:N0} {affected,9:N0} {Machine.LoadAverage(),16}"));
                log(lines[^1]);
            }
        }
        foreach (var c in all)
            await c.Connection.DisposeAsync();
        return lines;
    }

    /// <summary>The old client's answer to a change it could not apply from the event: a fresh Ready, in the background.</summary>
    private static void RefreshInBackground(HubConnection connection, Client client, Func<JsonElement, HashSet<string>> channelsOf)
    {
        Interlocked.Increment(ref client.Pending);
        _ = Task.Run(async () =>
        {
            // Pending falls whatever the answer (a refused or failed Refresh included): one stuck count kept every later
            // row of the old client from ever finishing.
            try
            {
                var payload = await connection.InvokeAsync<JsonElement>("Refresh");
                client.Channels = channelsOf(payload);
                Interlocked.Increment(ref client.Refreshes);
                Volatile.Write(ref client.LastDone, Stopwatch.GetTimestamp());
            }
            catch (Exception e) when (e is Microsoft.AspNetCore.SignalR.HubException or IOException or InvalidOperationException or TaskCanceledException)
            {
                Interlocked.Increment(ref client.FailedRefreshes);
            }
            finally
            {
                Interlocked.Decrement(ref client.Pending);
            }
        });
    }

    public static string Header => string.Create(CultureInfo.InvariantCulture,
        $"{"database",-9} {"change",-10} {"client",-13} {"ms to all",10} {"queries",10} {"refreshes",10} {"views",8} {"affected",9} {"load avg",16}");
}
