using System.Globalization;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Servers;
using KamaChat.Server.Features.Users;
using KamaChat.Server.Infrastructure.Ids;
using Microsoft.EntityFrameworkCore;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Bench;

/// <summary>
/// ./kamachat bench bigserver: connect time for a user in 100 servers (one of them with --members members, seeded in
/// bulk) next to a user in one server, on each database: the baseline is the one-server user in the same run. Then part
/// (b), <see cref="RoleChangeBench"/>: a role and an overwrite change with 5,000 of the big server's members connected.
/// </summary>
public static class BigServerBench
{
    private const int Servers = 100;
    private const int ChannelsPerServer = 10;
    private const int Rounds = 100;

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var engines = options.Engine == "both" ? ["sqlite", "postgres"] : new[] { options.Engine };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bigserver bench: a user in {Servers} servers of {ChannelsPerServer} channels (one server of {options.Members:N0} members) vs a user in 1; {Rounds} connects each, alternating; {Environment.ProcessorCount} cores{SearchDatabase.PostgresFsyncNote(options)}"));
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"{"database",-9} {"user in",8} {"p50 ms",8} {"p95 ms",8} {"queries/conn",13} {"server CPU ms",14} {"load avg",16}"),
        };
        var changes = new List<string> { RoleChangeBench.Header };
        foreach (var engine in engines)
        {
            var (connects, roleChanges) = await MeasureAsync(engine, options.Members, options.PostgresFsync);
            lines.AddRange(connects);
            changes.AddRange(roleChanges);
        }
        Console.WriteLine();
        Console.WriteLine("(a) connect time");
        foreach (var line in lines)
            Console.WriteLine(line);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"(b) a role and an overwrite change, {RoleChangeBench.Connected:N0} members connected (half hold the role): until every affected client has its new state (mean of on and off)"));
        foreach (var line in changes)
            Console.WriteLine(line);
        return 0;
    }

    private static async Task<(List<string> Connects, List<string> RoleChanges)> MeasureAsync(string engine, int members, bool fsync)
    {
        void Log(string line) => Console.WriteLine($"[{engine}] {line}");
        await using var database = await SearchDatabase.CreateAsync(engine, fsync: fsync);
        await database.MigrateWithoutSearchAsync();
        await using var server = await ServerUnderTest.StartAsync(new Dictionary<string, string>
        {
            ["DATABASE_URL"] = database.Url,
            ["KAMACHAT_MIGRATE"] = "false",
            ["JWT_SECRET"] = RoleChangeBench.Secret,
        });
        var one = await server.RegisterAsync($"one_{Guid.NewGuid():N}"[..16]);
        var many = await server.RegisterAsync($"many_{Guid.NewGuid():N}"[..16]);
        var seeded = await SeedAsync(database, one.User.Id, many.User.Id, members, Log);
        Log("seeded; connecting");

        var samples = new Dictionary<string, List<double>> { ["1"] = [], [$"{Servers}"] = [] };
        var commands = new Dictionary<string, long> { ["1"] = 0, [$"{Servers}"] = 0 };
        // The server's CPU from just before a connect to its Ready (nothing else runs on it then): steady on a loaded
        // machine, where the milliseconds are not.
        var cpu = new Dictionary<string, TimeSpan> { ["1"] = TimeSpan.Zero, [$"{Servers}"] = TimeSpan.Zero };
        for (var round = -5; round < Rounds; round++)
            foreach (var (label, token) in new[] { ("1", one.AccessToken), ($"{Servers}", many.AccessToken) })
            {
                var cpuBefore = server.CpuTime();
                var (connection, milliseconds) = await ConnectBench.ConnectAsync(server.BaseAddress, token);
                var cpuUsed = server.CpuTime() - cpuBefore;
                await connection.DisposeAsync();
                if (round < 0)
                    continue;
                samples[label].Add(milliseconds);
                cpu[label] += cpuUsed;
            }
        // Queries per connect, one connect each, counted on their own (the exporter's counter is node-wide).
        foreach (var (label, token) in new[] { ("1", one.AccessToken), ($"{Servers}", many.AccessToken) })
        {
            var before = await server.DatabaseCommandsAsync();
            var (connection, _) = await ConnectBench.ConnectAsync(server.BaseAddress, token);
            commands[label] = await server.DatabaseCommandsAsync() - before;
            await connection.DisposeAsync();
        }
        var load = File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
        var lines = samples.Select(s =>
        {
            var sorted = s.Value.Order().ToList();
            return string.Create(CultureInfo.InvariantCulture,
                $"{engine,-9} {s.Key + " srv",8} {sorted[sorted.Count / 2],8:N1} {sorted[(int)(sorted.Count * 0.95)],8:N1} {commands[s.Key],13} {cpu[s.Key].TotalMilliseconds / Rounds,14:N1} {load,16}");
        }).ToList();
        foreach (var line in lines)
            Log(line);
        return (lines, await RoleChangeBench.MeasureAsync(engine, server, one.AccessToken, seeded, Log));
    }

    /// <summary>
    /// {Servers} servers with {ChannelsPerServer} channels each, a role and a channel only that role sees; both users in
    /// the first, the big one (members added in bulk), and the many-server user in all of them.
    /// </summary>
    private static async Task<RoleChangeBench.Seeded> SeedAsync(SearchDatabase database, Snowflake one, Snowflake many, int members, Action<string> log)
    {
        var ids = new SnowflakeGenerator(2, TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        Snowflake bigServer = default, staffRole = default, overwriteChannel = default;
        var connected = new List<(Snowflake User, Snowflake Session, bool Staff)>();
        await using (var db = database.Context())
        {
            for (var s = 0; s < Servers; s++)
            {
                var serverId = ids.NextId();
                var roleId = ids.NextId();
                db.Servers.Add(new ChatServer { Id = serverId, Name = $"Server {s}", OwnerId = one, CreatedAt = now });
                db.Roles.Add(new Role { Id = serverId, ServerId = serverId, Name = Role.EveryoneName, Permissions = P.DefaultEveryone });
                db.Roles.Add(new Role { Id = roleId, ServerId = serverId, Name = "staff", Position = 1 });
                db.Members.Add(new Member { ServerId = serverId, UserId = many, JoinedAt = now });
                db.MemberRoles.Add(new MemberRole { ServerId = serverId, UserId = many, RoleId = roleId });
                if (s == 0)
                    db.Members.Add(new Member { ServerId = serverId, UserId = one, JoinedAt = now });
                for (var c = 0; c < ChannelsPerServer; c++)
                {
                    var channelId = ids.NextId();
                    db.Channels.Add(new Channel { Id = channelId, ServerId = serverId, Type = ChannelType.Text, Name = $"channel-{c}", Position = c, CreatedAt = now });
                    if (s == 0 && c == 1)
                        overwriteChannel = channelId;
                    if (c == 0)
                    {
                        db.PermissionOverwrites.Add(new PermissionOverwrite { ChannelId = channelId, TargetType = OverwriteTarget.Role, TargetId = serverId, Deny = P.ViewChannel });
                        db.PermissionOverwrites.Add(new PermissionOverwrite { ChannelId = channelId, TargetType = OverwriteTarget.Role, TargetId = roleId, Allow = P.ViewChannel });
                    }
                }
                if (s == 0)
                    (bigServer, staffRole) = (serverId, roleId);
            }
            await db.SaveChangesAsync();
        }
        for (var done = 0; done < members; done += 5000)
        {
            await using var db = database.Context();
            for (var i = done; i < Math.Min(members, done + 5000); i++)
            {
                var id = ids.NextId();
                var name = $"member{i:D6}";
                db.Users.Add(new User
                {
                    Id = id, UserName = name, NormalizedUserName = name.ToUpperInvariant(), Email = $"{name}@bench.test",
                    NormalizedEmail = $"{name}@bench.test".ToUpperInvariant(), EmailConfirmed = true,
                    SecurityStamp = Guid.NewGuid().ToString("N"), CreatedAt = now,
                });
                db.Members.Add(new Member { ServerId = bigServer, UserId = id, JoinedAt = now });
                // The first ones connect in part (b), with a session each; every other one holds the staff role.
                if (i < RoleChangeBench.Connected)
                {
                    var session = ids.NextId();
                    db.Sessions.Add(new KamaChat.Server.Features.Auth.Session { Id = session, UserId = id, CreatedAt = now, LastUsedAt = now, ExpiresAt = now.AddDays(1) });
                    if (i % 2 == 0)
                        db.MemberRoles.Add(new MemberRole { ServerId = bigServer, UserId = id, RoleId = staffRole });
                    connected.Add((id, session, i % 2 == 0));
                }
            }
            await db.SaveChangesAsync();
            log($"members {Math.Min(members, done + 5000):N0} of {members:N0}");
        }
        await using (var db = database.Context())
            await db.Database.ExecuteSqlRawAsync("ANALYZE");
        return new RoleChangeBench.Seeded(bigServer, staffRole, overwriteChannel, connected);
    }
}
