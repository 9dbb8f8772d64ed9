using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Audit;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Servers;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Servers;

/// <summary>The server's system channel: where "X joined the server" lines go, chosen in the server's settings.</summary>
public abstract class SystemChannelTests(KamaChatApp app)
{
    private async Task<(TestUser Owner, ServerResponse Server, Snowflake General)> ServerAsync()
    {
        var owner = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        var channels = await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/channels")).ReadAsync<List<ChannelResponse>>();
        return (owner, server, channels.Single(c => c.Name == "general").Id);
    }

    private static Task<HttpResponseMessage> SetAsync(TestUser actor, Snowflake serverId, string systemChannelId) =>
        actor.Client.PatchAsJsonAsync($"/api/v1/servers/{serverId}", new { systemChannelId });

    private static async Task<List<MessageResponse>> HistoryAsync(TestUser reader, Snowflake channelId) =>
        await (await reader.Client.GetAsync($"/api/v1/channels/{channelId}/messages?limit=50")).ReadAsync<List<MessageResponse>>();

    [Fact]
    public async Task A_member_who_joins_gets_a_line_in_the_system_channel_and_the_choice_is_audited()
    {
        var (owner, server, general) = await ServerAsync();

        var updated = await (await SetAsync(owner, server.Id, general.ToString())).ReadAsync<ServerResponse>();
        var member = await app.UserAsync();
        await member.JoinAsync(owner, server.Id);

        Assert.Equal(general, updated.SystemChannelId);
        var line = Assert.Single(await HistoryAsync(owner, general));
        Assert.Equal(("memberJoined", member.Id, ""), (line.Kind, line.Author.Id, line.Content));
        // The new member reads it too, and the server says which channel it is.
        Assert.Equal(line.Id, Assert.Single(await HistoryAsync(member, general)).Id);
        var seen = await (await member.Client.GetAsync($"/api/v1/servers/{server.Id}")).ReadAsync<ServerResponse>();
        Assert.Equal(general, seen.SystemChannelId);
        var log = await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/audit-log")).ReadAsync<KamaChat.Server.Features.Audit.AuditLogResponse>();
        Assert.Contains(log.Entries, e => e.Action == AuditActions.ServerUpdate && e.Changes.Any(c => c.Key == "systemChannelId"));
    }

    [Fact]
    public async Task Without_a_system_channel_or_after_clearing_it_a_join_writes_nothing()
    {
        var (owner, server, general) = await ServerAsync();
        var first = await app.UserAsync();
        await first.JoinAsync(owner, server.Id);
        await SetAsync(owner, server.Id, general.ToString());
        var cleared = await (await SetAsync(owner, server.Id, "")).ReadAsync<ServerResponse>();
        var second = await app.UserAsync();
        await second.JoinAsync(owner, server.Id);

        Assert.Null(cleared.SystemChannelId);
        Assert.Empty(await HistoryAsync(owner, general));
    }

    [Fact]
    public async Task Only_a_text_channel_of_this_server_can_be_chosen_and_a_refusal_changes_nothing()
    {
        var (owner, server, general) = await ServerAsync();
        var voice = await owner.CreateChannelAsync(server.Id, "Lounge", "voice");
        var (_, _, elsewhere) = await ServerAsync();
        var member = await app.UserAsync();
        await member.JoinAsync(owner, server.Id);

        foreach (var wrong in new[] { voice.Id.ToString(), elsewhere.ToString(), "123", "not-an-id" })
            await (await SetAsync(owner, server.Id, wrong)).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        // Choosing it is managing the server.
        Assert.Equal(HttpStatusCode.Forbidden, (await SetAsync(member, server.Id, general.ToString())).StatusCode);

        var server2 = await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}")).ReadAsync<ServerResponse>();
        Assert.Null(server2.SystemChannelId);
    }

    [Fact]
    public async Task A_channel_the_caller_cannot_see_cannot_be_chosen_and_answers_as_one_that_does_not_exist()
    {
        var (owner, server, general) = await ServerAsync();
        var view = ((long)KamaChat.Server.Features.Permissions.Permissions.ViewChannel).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var staff = await (await owner.Client.PostAsJsonAsync($"/api/v1/servers/{server.Id}/channels", new
        {
            name = "staff",
            type = "text",
            slowModeSeconds = 0,
            permissionOverwrites = new[] { new { targetType = "role", targetId = server.Id, allow = "0", deny = view } },
        })).ReadAsync<ChannelResponse>(HttpStatusCode.Created);
        var manager = await app.UserAsync();
        await manager.JoinAsync(owner, server.Id);
        var role = await owner.CreateRoleAsync(server.Id, "managers", KamaChat.Server.Features.Permissions.Permissions.ManageServer);
        await owner.AssignRoleAsync(server.Id, manager, role.Id);

        // Members' join lines would go where none of them can read, and a 200 would tell the manager the channel exists.
        await (await SetAsync(manager, server.Id, staff.Id.ToString())).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Null((await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}")).ReadAsync<ServerResponse>()).SystemChannelId);
        Assert.Equal(general, (await (await SetAsync(manager, server.Id, general.ToString())).ReadAsync<ServerResponse>()).SystemChannelId);
        Assert.Equal(staff.Id, (await (await SetAsync(owner, server.Id, staff.Id.ToString())).ReadAsync<ServerResponse>()).SystemChannelId);
    }

    [Fact]
    public async Task A_deleted_system_channel_means_none()
    {
        var (owner, server, _) = await ServerAsync();
        var welcome = await owner.CreateChannelAsync(server.Id, "welcome");
        await SetAsync(owner, server.Id, welcome.Id.ToString());
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{welcome.Id}")).StatusCode);

        var member = await app.UserAsync();
        await member.JoinAsync(owner, server.Id);

        // The join went through; there was no channel to write in.
        var members = await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/members")).ReadAsync<List<MemberResponse>>();
        Assert.Contains(members, m => m.UserId == member.Id);
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteSystemChannelTests(SqliteApp app) : SystemChannelTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresSystemChannelTests(PostgresApp app) : SystemChannelTests(app), IClassFixture<PostgresApp>;
