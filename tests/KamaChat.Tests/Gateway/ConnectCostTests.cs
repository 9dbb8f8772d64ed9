using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.DirectMessages;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Gateway;

/// <summary>
/// What a gateway connect costs: a bounded number of queries however many servers the user is in, and mention counts
/// taken from the mentions, not the history. Through the real hub, on both databases.
/// </summary>
public abstract class ConnectCostTests(KamaChatApp app)
{
    // On one node (no Redis) presence candidates come from the connections here, not a query: 10 scaled out.
    private const int MaxConnectQueries = 9;

    [Fact]
    public async Task Connecting_in_twenty_servers_costs_the_same_queries_as_in_one()
    {
        var few = await app.UserAsync();
        var many = await app.UserAsync();
        var secretIds = new List<Snowflake>();
        for (var i = 0; i < 20; i++)
        {
            var (serverId, _, _) = await app.SeedServerWithChannelAsync(i == 0 ? [few, many] : [many]);
            // A role and a channel only that role sees, so each server's permissions take overwrites and roles to resolve.
            var staff = await app.SeedRoleAsync(serverId, P.None, many);
            var secret = await app.SeedTextChannelAsync(serverId, name: "staff");
            await app.SeedOverwriteAsync(secret, OverwriteTarget.Role, serverId, P.None, P.ViewChannel);
            await app.SeedOverwriteAsync(secret, OverwriteTarget.Role, staff, P.ViewChannel, P.None);
            secretIds.Add(secret);
        }

        // Every connection stays open to the end: a user's last disconnect does work of its own (going offline), which
        // must not fall into the next count.
        var open = new List<GatewayClient>();
        async Task<(int Commands, Server.Features.Gateway.ReadyPayload Ready)> ConnectAsync(TestUser user, bool first = false)
        {
            Server.Features.Gateway.ReadyPayload? ready = null;
            GatewayClient? gateway = null;
            var commands = await DatabaseCommands.CountAsync(app, async () =>
            {
                gateway = await GatewayClient.ConnectAsync(app, user.Tokens.AccessToken);
                open.Add(gateway);
                ready = await gateway.ReadyAsync();
            });
            // A user's first connection announces them online after Ready, which is not the connect's cost and must
            // not fall into the next count: the announcement reaches the user's own connection (a member of their servers).
            if (first)
                await gateway!.WaitForPresenceAsync(user.Id, "online");
            return (commands, ready!);
        }

        await ConnectAsync(few, first: true);
        await ConnectAsync(many, first: true);
        var (oneServer, fewReady) = await ConnectAsync(few);
        var (twentyServers, manyReady) = await ConnectAsync(many);
        foreach (var gateway in open)
            await gateway.DisposeAsync();

        Assert.Single(fewReady.Servers);
        Assert.Equal(20, manyReady.Servers.Count);
        Assert.All(secretIds, id => Assert.Contains(manyReady.Servers, s => s.Channels.Any(c => c.Id == id)));
        Assert.DoesNotContain(fewReady.Servers, s => s.Channels.Any(c => secretIds.Contains(c.Id)));
        Assert.True(oneServer > 0, "a connect reads the database");
        // Groups and Ready share what both need (servers and their permissions, DM channels, friends): 19 queries before, 14 until Ready took its servers from the groups snapshot, 12 until the memberships brought their roles and the channels their overwrites, 10 until presence candidates came from this node's connections.
        Assert.InRange(oneServer, 1, MaxConnectQueries);
        Assert.Equal(oneServer, twentyServers);
    }

    [Fact]
    public async Task Ready_counts_each_unread_mention_once_however_it_mentions_the_user()
    {
        var member = await app.UserAsync();
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync(member);
        var role = await app.SeedRoleAsync(serverId, P.None, member);
        var quiet = await app.SeedTextChannelAsync(serverId, name: "quiet");
        await app.SeedMessagesAsync(channelId, owner, 30);

        await owner.Client.SendOkAsync(channelId, $"@everyone <@&{role}> read before");
        var read = await owner.Client.SendOkAsync(channelId, $"<@{member.Id}> already read");
        await using (var gateway = await GatewayClient.ConnectAsync(app, member.Tokens.AccessToken))
        {
            await gateway.ReadyAsync();
            await gateway.Connection.InvokeAsync<Server.Features.ReadStates.ReadStateResponse>("Ack", channelId.ToString(), read.Id);
        }
        await owner.Client.SendOkAsync(channelId, $"<@{member.Id}> you");
        await owner.Client.SendOkAsync(channelId, $"<@&{role}> your role");
        await owner.Client.SendOkAsync(channelId, "@everyone all of you");
        await owner.Client.SendOkAsync(channelId, $"@everyone <@&{role}> <@{member.Id}> every way at once");
        await owner.Client.SendOkAsync(channelId, "nobody in particular");
        await member.Client.SendOkAsync(channelId, "@everyone my own");
        await owner.Client.SendOkAsync(quiet, $"<@{member.Id}> in a channel never read");
        await owner.Client.SendOkAsync(quiet, $"<@&{role}> your role there");
        await owner.Client.SendOkAsync(quiet, "@everyone there");
        await member.Client.SendOkAsync(quiet, $"<@{member.Id}> @everyone myself");

        await using var again = await GatewayClient.ConnectAsync(app, member.Tokens.AccessToken);
        var states = (await again.ReadyAsync()).ReadStates;
        Assert.Equal(4, states.Single(s => s.ChannelId == channelId).MentionCount);
        Assert.Equal(read.Id, states.Single(s => s.ChannelId == channelId).LastReadMessageId);
        Assert.Equal(3, states.Single(s => s.ChannelId == quiet).MentionCount);
    }

    [Fact]
    public async Task Ready_counts_each_roles_mentions_after_the_read_position_not_deleted_ones_nor_a_hidden_channels()
    {
        var member = await app.UserAsync();
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync(member);
        var (editors, reviewers) = (await app.SeedRoleAsync(serverId, P.None, member), await app.SeedRoleAsync(serverId, P.None, member));
        var elsewhere = await app.SeedRoleAsync(serverId, P.None, owner);
        var hidden = await app.SeedTextChannelAsync(serverId, name: "hidden later");
        await owner.Client.SendOkAsync(channelId, $"<@&{editors}> <@&{reviewers}> before the read position");
        var read = await owner.Client.SendOkAsync(channelId, $"<@&{reviewers}> the last one read");
        var hiddenRead = await owner.Client.SendOkAsync(hidden, "read there");
        await using (var gateway = await GatewayClient.ConnectAsync(app, member.Tokens.AccessToken))
        {
            await gateway.ReadyAsync();
            await gateway.Connection.InvokeAsync<Server.Features.ReadStates.ReadStateResponse>("Ack", channelId.ToString(), read.Id);
            await gateway.Connection.InvokeAsync<Server.Features.ReadStates.ReadStateResponse>("Ack", hidden.ToString(), hiddenRead.Id);
        }
        await owner.Client.SendOkAsync(channelId, $"<@&{editors}> one role");
        await owner.Client.SendOkAsync(channelId, $"<@&{reviewers}> the other");
        await owner.Client.SendOkAsync(channelId, $"<@&{editors}> <@&{reviewers}> both, counted once");
        await owner.Client.SendOkAsync(channelId, $"<@&{elsewhere}> a role the member lacks");
        var deleted = await owner.Client.SendOkAsync(channelId, $"<@{member.Id}> <@&{editors}> deleted");
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{channelId}/messages/{deleted.Id}")).StatusCode);
        await owner.Client.SendOkAsync(hidden, $"<@{member.Id}> <@&{editors}> in a channel the member can no longer see");
        await app.SeedOverwriteAsync(hidden, OverwriteTarget.Role, serverId, P.None, P.ViewChannel);

        await using var again = await GatewayClient.ConnectAsync(app, member.Tokens.AccessToken);
        var states = (await again.ReadyAsync()).ReadStates;
        Assert.Equal(3, states.Single(s => s.ChannelId == channelId).MentionCount);
        Assert.DoesNotContain(states, s => s.ChannelId == hidden);
    }

    // The indexes the mention counts may read: the user's read states, the mention index (which holds each mention's
    // author), @everyone messages' partial index, and by primary key a channel's row (for its server), the user's roles
    // in that server (with their grant positions) and their membership or recipient row (for the join position). At a
    // million messages, looking each unread mention's message up (for its author) was two thirds of the query's buffers,
    // and it grew with the history.
    private static readonly string[] MentionCountIndexes =
    [
        "PK_read_states", "sqlite_autoindex_read_states_1", "IX_message_mentions_ChannelId_TargetId_MessageId_author",
        "IX_messages_ChannelId_Id_AuthorId_mentions_everyone", "PK_member_roles", "sqlite_autoindex_member_roles_1",
        "PK_channels", "PK_members", "sqlite_autoindex_members_1", "PK_channel_recipients", "sqlite_autoindex_channel_recipients_1",
    ];

    // SQLite names no index for a lookup by rowid (a channel by its id).
    private static bool ByMentionCountIndex((string Scan, string? Index) scan) =>
        scan.Index is null ? scan.Scan.Contains("USING INTEGER PRIMARY KEY (rowid=?)", StringComparison.Ordinal) : MentionCountIndexes.Contains(scan.Index);

    [Fact]
    public async Task Ready_counts_mentions_from_indexes_alone_without_reading_a_mentioned_message()
    {
        var member = await app.UserAsync();
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync(member);
        var role = await app.SeedRoleAsync(serverId, P.None, member);
        var quiet = await app.SeedTextChannelAsync(serverId, name: "quiet");
        var read = await owner.Client.SendOkAsync(channelId, "read");
        await using (var gateway = await GatewayClient.ConnectAsync(app, member.Tokens.AccessToken))
        {
            await gateway.ReadyAsync();
            await gateway.Connection.InvokeAsync<Server.Features.ReadStates.ReadStateResponse>("Ack", channelId.ToString(), read.Id);
        }
        foreach (var channel in new[] { channelId, quiet })
        {
            await owner.Client.SendOkAsync(channel, $"<@{member.Id}> <@&{role}> @everyone");
            // Their own mentions of themselves and of their role count for nobody: the author is read from the mention.
            await member.Client.SendOkAsync(channel, $"<@{member.Id}> <@&{role}> my own");
        }

        Server.Features.Gateway.ReadyPayload? ready = null;
        // The mention counts' query (the background push job also reads mentions, not read states).
        var commands = await DatabaseCommands.CaptureAsync(app, async () =>
        {
            await using var gateway = await GatewayClient.ConnectAsync(app, member.Tokens.AccessToken);
            ready = await gateway.ReadyAsync();
        }, text => text.Contains("message_mentions", StringComparison.Ordinal) && text.Contains("read_states", StringComparison.Ordinal));

        Assert.Equal(1, ready!.ReadStates.Single(s => s.ChannelId == channelId).MentionCount);
        Assert.Equal(1, ready.ReadStates.Single(s => s.ChannelId == quiet).MentionCount);
        var scans = await ScansAsync(Assert.Single(commands));
        Assert.Contains(scans, s => s.Index == "IX_message_mentions_ChannelId_TargetId_MessageId_author");
        Assert.Contains(scans, s => s.Index is "PK_member_roles" or "sqlite_autoindex_member_roles_1");
        Assert.All(scans, s => Assert.True(ByMentionCountIndex(s), $"{s.Scan} ({s.Index ?? "no index"}) in:\n{string.Join('\n', scans)}"));
    }

    /// <summary>Each table read by the plan of <paramref name="command"/> on this database, with the index it reads it by (null: none).</summary>
    protected abstract Task<List<(string Scan, string? Index)>> ScansAsync(DatabaseCommands.CapturedCommand command);

    /// <summary>A captured query without its tag lines and the serial setting around it (<see cref="SerialQueries"/>).</summary>
    protected static string QueryOf(DatabaseCommands.CapturedCommand command) => string.Join('\n', command.Text.Split('\n')
            .Where(line => !line.StartsWith("-- ", StringComparison.Ordinal) && !line.Contains("max_parallel_workers_per_gather", StringComparison.Ordinal)))
        .TrimEnd().TrimEnd(';');

    [Fact]
    public async Task Ready_lists_the_users_DMs_latest_activity_first_each_with_its_recipients_by_id()
    {
        var (alice, bob, carol) = (await app.UserAsync(), await app.UserAsync(), await app.UserAsync());
        var dm = await (await alice.Client.PostAsJsonAsync("/api/v1/users/@me/channels", new { recipientId = bob.Id })).ReadAsync<DmChannelResponse>(HttpStatusCode.Created);
        var group = await (await alice.Client.PostAsJsonAsync("/api/v1/users/@me/group-channels", new { recipientIds = new[] { carol.Id, bob.Id } }))
            .ReadAsync<DmChannelResponse>(HttpStatusCode.Created);
        // The one-to-one DM has the latest message, so it comes first though the group is newer.
        var latest = await bob.Client.SendOkAsync(dm.Id, "the latest");

        await using var gateway = await GatewayClient.ConnectAsync(app, alice.Tokens.AccessToken);
        var ready = await gateway.ReadyAsync();

        Assert.Equal([dm.Id, group.Id], ready.DirectChannels.Select(d => d.Id));
        Assert.Equal(latest.Id, ready.DirectChannels[0].LastMessageId);
        Assert.Equal(new[] { alice.Id, bob.Id }.Order(), ready.DirectChannels[0].RecipientIds);
        Assert.Equal(new[] { alice.Id, bob.Id, carol.Id }.Order(), ready.DirectChannels[1].RecipientIds);
        Assert.Equal(alice.Id, ready.DirectChannels[1].OwnerId);
        Assert.Contains(group.Id.ToString(), ready.Cursors.Channels!.Keys);
    }
}

[Trait("Provider", "sqlite")]
public sealed partial class SqliteConnectCostTests(SqliteApp app) : ConnectCostTests(app), IClassFixture<SqliteApp>
{
    // EXPLAIN QUERY PLAN names a table by its alias, so a table read is a SEARCH or SCAN line, by the index it names (a
    // SCAN or a rowid lookup names none); the channel lists' json_each is a virtual table, no table of ours.
    protected override Task<List<(string Scan, string? Index)>> ScansAsync(DatabaseCommands.CapturedCommand command) => app.QueryAsync(async db =>
    {
        await db.Database.OpenConnectionAsync();
        await using var explain = db.Database.GetDbConnection().CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + QueryOf(command);
        foreach (var (name, value) in command.Parameters)
        {
            var parameter = explain.CreateParameter();
            (parameter.ParameterName, parameter.Value) = (name, value);
            explain.Parameters.Add(parameter);
        }
        var details = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                details.Add(reader.GetString(3));
        // A subquery's rows (the counts' union, which they group) are read as a co-routine or a materialized table of
        // that name: no table of ours.
        var subqueries = details.Where(d => d.StartsWith("CO-ROUTINE ", StringComparison.Ordinal) || d.StartsWith("MATERIALIZE ", StringComparison.Ordinal))
            .Select(d => d.Split(' ')[1]).ToHashSet(StringComparer.Ordinal);
        return details
            .Where(d => (d.StartsWith("SEARCH ", StringComparison.Ordinal) || d.StartsWith("SCAN ", StringComparison.Ordinal)) && !d.Contains("VIRTUAL TABLE", StringComparison.Ordinal)
                && !subqueries.Contains(d.Split(' ')[1]))
            .Select(d => (d, IndexName().Match(d) is { Success: true } m ? m.Groups[1].Value : null))
            .ToList();
    });

    [GeneratedRegex(@"USING (?:COVERING )?INDEX (\S+)")]
    private static partial Regex IndexName();
}

[Trait("Provider", "postgres")]
public sealed class PostgresConnectCostTests(PostgresApp app) : ConnectCostTests(app), IClassFixture<PostgresApp>
{
    // Sequential scans off: on a test's few rows any table is one page, and the planner would scan it whatever the
    // indexes; off, it reads by an index wherever one serves, as it does at a million messages.
    protected override Task<List<(string Scan, string? Index)>> ScansAsync(DatabaseCommands.CapturedCommand command) => app.QueryAsync(async db =>
    {
        await db.Database.OpenConnectionAsync();
        var connection = (Npgsql.NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.ExecuteSqlRawAsync("SET enable_seqscan = off");
        await using var explain = new Npgsql.NpgsqlCommand("EXPLAIN (FORMAT JSON) " + QueryOf(command), connection);
        foreach (var (name, value) in command.Parameters)
            explain.Parameters.Add(new Npgsql.NpgsqlParameter(name, value));
        using var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!);
        await db.Database.ExecuteSqlRawAsync("RESET enable_seqscan");
        return PlanNodes(plan.RootElement[0].GetProperty("Plan"))
            .Where(node => node.TryGetProperty("Relation Name", out _))
            .Select(node => ($"{node.GetProperty("Node Type").GetString()} on {node.GetProperty("Relation Name").GetString()}", IndexOf(node)))
            .ToList();
    });

    // Every node of an EXPLAIN (FORMAT JSON) plan, each before the nodes below it.
    private static IEnumerable<JsonElement> PlanNodes(JsonElement node) =>
        node.TryGetProperty("Plans", out var children) ? children.EnumerateArray().SelectMany(PlanNodes).Prepend(node) : [node];

    // A bitmap heap scan names its index on the bitmap index scan below it.
    private static string? IndexOf(JsonElement node) =>
        node.TryGetProperty("Index Name", out var index) ? index.GetString()
        : node.TryGetProperty("Plans", out var children) ? children.EnumerateArray().Select(IndexOf).FirstOrDefault(i => i is not null)
        : null;

    // At 1,000,000 messages the generic plan the prepared mention counts settle on merge-joined the read states with the
    // whole @everyone index: every @everyone message of the opened channels' history, however few were unread. With
    // nested loops off, the planner joins another way wherever the query lets it; a LATERAL range can only be a loop.
    [Fact]
    public async Task Ready_reads_an_opened_channels_everyone_mentions_as_a_range_after_its_read_position_whatever_join_the_planner_prefers()
    {
        var member = await app.UserAsync();
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync(member);
        var quiet = await app.SeedTextChannelAsync(serverId, name: "quiet");
        var read = await owner.Client.SendOkAsync(channelId, "@everyone read already");
        Assert.Equal(HttpStatusCode.OK, (await member.Client.PostAsync($"/api/v1/channels/{channelId}/messages/{read.Id}/ack", null)).StatusCode);
        await owner.Client.SendOkAsync(channelId, "@everyone unread");

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        await db.Database.OpenConnectionAsync();
        var connection = (Npgsql.NpgsqlConnection)db.Database.GetDbConnection();
        var counts = await scope.ServiceProvider.GetRequiredService<Server.Features.ReadStates.ReadStateService>()
            .MentionCountsAsync(member.Id, [channelId, quiet], new HashSet<Snowflake> { channelId }, default);
        Assert.Equal(1, counts[channelId]);

        // The counts' statement as prepared on this connection, run with the plan every later call gets.
        string name;
        string[] types;
        await using (var find = new Npgsql.NpgsqlCommand(
            "SELECT name, parameter_types::text[] FROM pg_prepared_statements WHERE statement LIKE '%message_mentions%' AND statement LIKE '%read_states%'", connection))
        await using (var reader = await find.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            (name, types) = (reader.GetString(0), reader.GetFieldValue<string[]>(1));
        }
        var arguments = string.Join(", ", types.Select(type => type == "bigint[]" ? $"ARRAY[{channelId.Value}]::bigint[]" : member.Id.Value.ToString(CultureInfo.InvariantCulture)));
        await db.Database.ExecuteSqlRawAsync(
            "SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off; SET enable_nestloop = off; SET max_parallel_workers_per_gather = 0");
        await using var explain = new Npgsql.NpgsqlCommand($"EXPLAIN (FORMAT JSON) EXECUTE {name}({arguments})", connection);
        using var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!);
        await db.Database.ExecuteSqlRawAsync("RESET ALL");
        var conditions = PlanNodes(plan.RootElement[0].GetProperty("Plan"))
            .Where(node => node.TryGetProperty("Relation Name", out var relation) && relation.GetString() is "messages" or "message_mentions")
            .Select(node => (Table: node.GetProperty("Relation Name").GetString(), Condition: node.TryGetProperty("Index Cond", out var condition) ? condition.GetString()! : "(none)"))
            .ToList();

        // The opened channels' branches read the indexes from each read position on, the never-opened ones' from the join;
        // the role branches from the later of that and the role's grant.
        foreach (var (table, start) in new[] { ("messages", "LastReadMessageId"), ("messages", "JoinPosition"), ("message_mentions", "LastReadMessageId"), ("message_mentions", "JoinPosition") })
            Assert.Contains(conditions, c => c.Table == table && c.Condition.Contains($"\"{start}\"", StringComparison.Ordinal));
        foreach (var start in new[] { "LastReadMessageId", "JoinPosition" })
            Assert.Contains(conditions, c => c.Table == "message_mentions" && c.Condition.Contains($"\"{start}\"", StringComparison.Ordinal)
                && c.Condition.Contains("\"GrantPosition\"", StringComparison.Ordinal) && c.Condition.Contains("\"RoleId\"", StringComparison.Ordinal));
    }

    // The mention counts are tagged serial: at a million messages PostgreSQL otherwise started two parallel workers for
    // them on every connect (~100 ms of its CPU each time). The setting must hold for the tagged query and end with it.
    [Fact]
    public async Task A_query_tagged_serial_plans_without_parallel_workers_and_leaves_its_connection_as_it_was()
    {
        var (before, tagged, after, afterFailure) = await app.QueryAsync(async db =>
        {
            // One connection throughout, so a setting left behind would show.
            await db.Database.OpenConnectionAsync();
            var setting = db.Database.SqlQueryRaw<string>("SELECT current_setting('max_parallel_workers_per_gather') AS \"Value\"");
            var (before, tagged, after) = (await setting.SingleAsync(), await setting.TagWith(SerialQueries.Tag).SingleAsync(), await setting.SingleAsync());
            await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
                db.Database.SqlQueryRaw<int>("SELECT 1 / (SELECT 0) AS \"Value\"").TagWith(SerialQueries.Tag).SingleAsync());
            return (before, tagged, after, await setting.SingleAsync());
        });

        Assert.NotEqual("0", before);
        Assert.Equal("0", tagged);
        Assert.Equal(before, after);
        Assert.Equal(before, afterFailure);
    }

    // The mention counts are also prepared: the setting rides after the tag lines, so the prepared tag stays first (where
    // PreparedStatements looks for it) and the prepared command still sets and resets it, repeated and after a failure.
    [Fact]
    public async Task A_query_tagged_prepared_and_serial_is_prepared_and_still_plans_without_parallel_workers()
    {
        var (before, tagged, again, after, afterFailure, prepared) = await app.QueryAsync(async db =>
        {
            await db.Database.OpenConnectionAsync();
            var setting = db.Database.SqlQueryRaw<string>("SELECT current_setting('max_parallel_workers_per_gather') AS \"Value\"");
            var both = setting.TagWith(PreparedStatements.Tag).TagWith(SerialQueries.Tag);
            var (before, tagged, again, after) = (await setting.SingleAsync(), await both.SingleAsync(), await both.SingleAsync(), await setting.SingleAsync());
            await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
                db.Database.SqlQueryRaw<int>("SELECT 1 / (SELECT 0) AS \"Value\"").TagWith(PreparedStatements.Tag).TagWith(SerialQueries.Tag).SingleAsync());
            // Prepared on this connection: the statements of the tagged command (the SET, the query, the RESET) are its.
            var prepared = await db.Database.SqlQueryRaw<int>(
                "SELECT count(*)::int AS \"Value\" FROM pg_prepared_statements WHERE NOT from_sql AND statement LIKE '%RESET max_parallel_workers_per_gather%'").SingleAsync();
            return (before, tagged, again, after, await setting.SingleAsync(), prepared);
        });

        Assert.NotEqual("0", before);
        Assert.Equal(("0", "0"), (tagged, again));
        Assert.True(prepared > 0, "the tagged command was prepared");
        Assert.Equal(before, after);
        Assert.Equal(before, afterFailure);
    }
}
