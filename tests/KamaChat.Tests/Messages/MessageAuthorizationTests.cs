using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Events;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Messages;

/// <summary>Every message, reaction and pin endpoint, tried by someone who must not get through.</summary>
public abstract class MessageAuthorizationTests(KamaChatApp app)
{

    [Fact]
    public async Task A_non_member_gets_404_from_every_endpoint_and_changes_nothing()
    {
        var outsider = await app.UserAsync();
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var messageId = await SeedAsync(owner, channelId);

        await AssertEverythingNotFoundAsync(outsider.Client, channelId, messageId, owner.Id);
    }

    [Fact]
    public async Task A_member_whose_overwrite_denies_VIEW_CHANNEL_gets_404_everywhere()
    {
        var hidden = await app.UserAsync();
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync(hidden);
        await app.SeedOverwriteAsync(channelId, OverwriteTarget.Member, hidden.Id, Perms.None, Perms.ViewChannel);
        var messageId = await SeedAsync(owner, channelId);

        await AssertEverythingNotFoundAsync(hidden.Client, channelId, messageId, owner.Id);
    }

    [Fact]
    public async Task A_role_overwrite_denying_VIEW_CHANNEL_to_everyone_hides_the_channel_unless_a_role_allows_it()
    {
        var member = await app.UserAsync();
        var insider = await app.UserAsync();
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync(member, insider);
        var role = await app.SeedRoleAsync(serverId, Perms.None, insider);
        await app.SeedOverwriteAsync(channelId, OverwriteTarget.Role, serverId, Perms.None, Perms.ViewChannel);
        await app.SeedOverwriteAsync(channelId, OverwriteTarget.Role, role, Perms.ViewChannel, Perms.None);

        await (await member.Client.SendMessageAsync(channelId, "hi")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await insider.Client.SendOkAsync(channelId, "hi");
        await owner.Client.SendOkAsync(channelId, "hi");
    }

    [Fact]
    public async Task A_member_without_SEND_MESSAGES_gets_403_on_send_and_can_still_read()
    {
        var muted = await app.UserAsync();
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync(muted);
        await app.SeedOverwriteAsync(channelId, OverwriteTarget.Member, muted.Id, Perms.None, Perms.SendMessages);
        await owner.Client.SendOkAsync(channelId, "announcement");

        await (await muted.Client.SendMessageAsync(channelId, "let me talk")).AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        Assert.Equal(1, await app.MessageCountAsync(channelId));
        Assert.Equal(HttpStatusCode.OK, (await muted.Client.GetAsync($"/api/v1/channels/{channelId}/messages")).StatusCode);
    }

    [Fact]
    public async Task A_member_without_READ_MESSAGE_HISTORY_gets_403_on_history()
    {
        var member = await app.UserAsync();
        var (_, channelId, _) = await app.SeedServerWithChannelAsync(member);
        await app.SeedOverwriteAsync(channelId, OverwriteTarget.Member, member.Id, Perms.None, Perms.ReadMessageHistory);

        await (await member.Client.GetAsync($"/api/v1/channels/{channelId}/messages")).AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        await (await member.Client.GetAsync($"/api/v1/channels/{channelId}/pins")).AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
    }

    [Fact]
    public async Task A_message_of_another_channel_is_not_found_through_this_one()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var other = await app.SeedTextChannelAsync(serverId);
        var message = await owner.Client.SendOkAsync(other, "over there");

        await (await owner.Client.GetAsync($"/api/v1/channels/{channelId}/messages/{message.Id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await owner.Client.DeleteAsync($"/api/v1/channels/{channelId}/messages/{message.Id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(1, await app.MessageCountAsync(other));
    }

    [Fact]
    public async Task Requests_without_a_token_are_unauthorized()
    {
        var (_, channelId, _) = await app.SeedServerWithChannelAsync();
        await (await app.CreateClient().GetAsync($"/api/v1/channels/{channelId}/messages")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    /// <summary>A message with a reaction and a pin, so there is something to try to read, change or remove.</summary>
    private static async Task<Snowflake> SeedAsync(TestUser owner, Snowflake channelId)
    {
        var message = await owner.Client.SendOkAsync(channelId, "secret");
        await owner.Client.PutAsync(ChatApi.Reactions(channelId, message.Id, "😀") + "/@me", null);
        await owner.Client.PutAsync($"/api/v1/channels/{channelId}/pins/{message.Id}", null);
        return message.Id;
    }

    private async Task AssertEverythingNotFoundAsync(HttpClient client, Snowflake channelId, Snowflake messageId, Snowflake ownerId)
    {
        var before = await SnapshotAsync(channelId);
        var messages = $"/api/v1/channels/{channelId}/messages";
        var reactions = ChatApi.Reactions(channelId, messageId, "😀");
        var attempts = new (string Name, Func<Task<HttpResponseMessage>> Call)[]
        {
            ("read history", () => client.GetAsync(messages)),
            ("get message", () => client.GetAsync($"{messages}/{messageId}")),
            ("send", () => client.SendMessageAsync(channelId, "let me in", nonce: "x")),
            ("edit", () => client.PatchAsJsonAsync($"{messages}/{messageId}", new { content = "changed" })),
            ("delete", () => client.DeleteAsync($"{messages}/{messageId}")),
            ("react", () => client.PutAsync(reactions + "/@me", null)),
            ("react with a bad emoji", () => client.PutAsync(ChatApi.Reactions(channelId, messageId, "abc") + "/@me", null)),
            ("unreact", () => client.DeleteAsync(reactions + "/@me")),
            ("remove another's reaction", () => client.DeleteAsync($"{reactions}/{ownerId}")),
            ("list reactions", () => client.GetAsync(reactions)),
            ("pin", () => client.PutAsync($"/api/v1/channels/{channelId}/pins/{messageId}", null)),
            ("unpin", () => client.DeleteAsync($"/api/v1/channels/{channelId}/pins/{messageId}")),
            ("list pins", () => client.GetAsync($"/api/v1/channels/{channelId}/pins")),
        };
        foreach (var (name, call) in attempts)
        {
            var response = await call();
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        }
        Assert.Equal(before, await SnapshotAsync(channelId));
    }

    private Task<string> SnapshotAsync(Snowflake channelId) => app.QueryAsync(async db =>
    {
        var messages = await db.Messages.AsNoTracking().Where(m => m.ChannelId == channelId).OrderBy(m => m.Id)
            .Select(m => new { m.Id, m.Content, m.EditedAt, Pinned = m.PinnedAt != null }).ToListAsync();
        var reactions = await db.Reactions.CountAsync(r => messages.Select(m => m.Id).Contains(r.MessageId));
        var events = await db.EventLog.CountAsync(e => e.Scope == EventScope.Channel && e.ScopeId == channelId);
        return System.Text.Json.JsonSerializer.Serialize(new { messages, reactions, events });
    });
}

[Trait("Provider", "sqlite")]
public sealed class SqliteMessageAuthorizationTests(SqliteApp app) : MessageAuthorizationTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresMessageAuthorizationTests(PostgresApp app) : MessageAuthorizationTests(app), IClassFixture<PostgresApp>;
