using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Channels;

public abstract class ChannelTests(KamaChatApp app)
{

    [Fact]
    public async Task Creating_channels_normalizes_text_names_and_logs_channel_created()
    {
        var owner = await app.UserAsync();
        var server = await owner.CreateServerAsync();

        var category = await owner.CreateChannelAsync(server.Id, "Voice Rooms", "category");
        var text = await owner.CreateChannelAsync(server.Id, "  Off Topic  Chat ");
        var voice = await owner.CreateChannelAsync(server.Id, "Lounge", "voice", category.Id);

        Assert.Equal(("Voice Rooms", "category", (Snowflake?)null), (category.Name, category.Type, category.ParentId));
        Assert.Equal(("off-topic-chat", "text"), (text.Name, text.Type));
        Assert.Equal(("Lounge", "voice", category.Id), (voice.Name, voice.Type, voice.ParentId));
        var listed = await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/channels")).ReadAsync<List<ChannelResponse>>();
        Assert.Equal(["general", "Voice Rooms", "off-topic-chat", "Lounge"], listed.Select(c => c.Name));
        Assert.Equal("ChannelCreated", (await app.EventTypesAsync(EventScope.Server, server.Id))[^1]);
        var json = await owner.Client.GetStringAsync($"/api/v1/channels/{voice.Id}");
        Assert.Contains("\"type\":\"voice\"", json, StringComparison.Ordinal);
        Assert.Contains($"\"id\":\"{voice.Id}\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_member_without_manage_channels_cannot_create_edit_reorder_or_delete_channels()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var stranger = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await member.JoinAsync(owner, server.Id);
        var channel = await owner.CreateChannelAsync(server.Id, "rules");
        var before = await app.SnapshotAsync();

        await (await member.Client.PostAsJsonAsync($"/api/v1/servers/{server.Id}/channels", new { name = "mine", type = "text", slowModeSeconds = 0 }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        await (await member.Client.PatchAsJsonAsync($"/api/v1/channels/{channel.Id}", new { topic = "defaced" }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        await (await member.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}/channels/positions", new[] { new { id = channel.Id, position = 0 } }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        await (await member.Client.DeleteAsync($"/api/v1/channels/{channel.Id}")).AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        await (await stranger.Client.GetAsync($"/api/v1/channels/{channel.Id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.Client.PatchAsJsonAsync($"/api/v1/channels/{channel.Id}", new { topic = "defaced" }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.Client.DeleteAsync($"/api/v1/channels/{channel.Id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await owner.Client.GetAsync("/api/v1/channels/987654321")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Theory]
    [InlineData("{\"name\":\"x\",\"type\":\"forum\",\"slowModeSeconds\":0}", "type")]
    [InlineData("{\"name\":\"LONG\",\"type\":\"text\",\"slowModeSeconds\":0}", "name")]
    [InlineData("{\"name\":\"   \",\"type\":\"text\",\"slowModeSeconds\":0}", "name")]
    [InlineData("{\"name\":\"x\",\"type\":\"text\",\"slowModeSeconds\":21601}", "slowModeSeconds")]
    [InlineData("{\"name\":\"x\",\"type\":\"text\",\"slowModeSeconds\":-1}", "slowModeSeconds")]
    [InlineData("{\"name\":\"x\",\"type\":\"text\",\"slowModeSeconds\":0,\"parentId\":\"PARENT\"}", "parentId")]
    [InlineData("{\"name\":\"x\",\"type\":\"text\",\"slowModeSeconds\":0,\"parentId\":\"12345\"}", "parentId")]
    public async Task Bad_channel_input_is_refused_and_writes_nothing(string body, string field)
    {
        var owner = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        var general = (await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/channels")).ReadAsync<List<ChannelResponse>>())[0];
        body = body.Replace("LONG", new string('a', 101), StringComparison.Ordinal).Replace("PARENT", general.Id.ToString(), StringComparison.Ordinal);
        var before = await app.SnapshotAsync();

        var response = await owner.Client.PostAsync($"/api/v1/servers/{server.Id}/channels", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotEmpty(problem.FieldErrors(field));
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task An_overwrite_denying_view_channel_hides_the_channel_from_lists_and_reads()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await member.JoinAsync(owner, server.Id);
        var secret = await owner.CreateChannelAsync(server.Id, "staff");

        var put = await owner.Client.PutAsJsonAsync($"/api/v1/channels/{secret.Id}/permissions/role/{server.Id}",
            new { allow = "0", deny = ((long)P.ViewChannel).ToString(CultureInfo.InvariantCulture) });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("ChannelUpdated", (await app.EventTypesAsync(EventScope.Server, server.Id))[^1]);

        var seen = await (await member.Client.GetAsync($"/api/v1/servers/{server.Id}/channels")).ReadAsync<List<ChannelResponse>>();
        Assert.DoesNotContain(seen, c => c.Id == secret.Id);
        await (await member.Client.GetAsync($"/api/v1/channels/{secret.Id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await member.Client.DeleteAsync($"/api/v1/channels/{secret.Id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var ownerSees = await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/channels")).ReadAsync<List<ChannelResponse>>();
        Assert.Contains(ownerSees, c => c.Id == secret.Id);

        // A member overwrite lets this one member back in.
        await owner.Client.PutAsJsonAsync($"/api/v1/channels/{secret.Id}/permissions/member/{member.Id}",
            new { allow = ((long)P.ViewChannel).ToString(CultureInfo.InvariantCulture), deny = "0" });
        await (await member.Client.GetAsync($"/api/v1/channels/{secret.Id}")).ReadAsync<ChannelResponse>();

        // The editor lists both, roles first; a member without Manage Roles cannot read them.
        var listed = await (await owner.Client.GetAsync($"/api/v1/channels/{secret.Id}/permissions")).ReadAsync<List<OverwriteResponse>>();
        Assert.Equal(
            [("role", server.Id, "0", ((long)P.ViewChannel).ToString(CultureInfo.InvariantCulture)),
             ("member", member.Id, ((long)P.ViewChannel).ToString(CultureInfo.InvariantCulture), "0")],
            listed.Select(o => (o.TargetType, o.TargetId, o.Allow, o.Deny)));
        await (await member.Client.GetAsync($"/api/v1/channels/{secret.Id}/permissions")).AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{secret.Id}/permissions/role/{server.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{secret.Id}/permissions/member/{member.Id}")).StatusCode);
        await (await member.Client.GetAsync($"/api/v1/channels/{secret.Id}")).ReadAsync<ChannelResponse>();
        Assert.Empty(await (await owner.Client.GetAsync($"/api/v1/channels/{secret.Id}/permissions")).ReadAsync<List<OverwriteResponse>>());
    }

    [Fact]
    public async Task A_channel_created_private_is_seen_only_by_the_roles_and_members_it_names_and_its_overwrites_follow_the_rules()
    {
        var owner = await app.UserAsync();
        var staff = await app.UserAsync();
        var guest = await app.UserAsync();
        var channelManager = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        foreach (var user in new[] { staff, guest, channelManager })
            await user.JoinAsync(owner, server.Id);
        var staffRole = await owner.CreateRoleAsync(server.Id, "Staff", P.ViewChannel | P.SendMessages);
        await owner.AssignRoleAsync(server.Id, staff, staffRole.Id);
        var managerRole = await owner.CreateRoleAsync(server.Id, "Channels", P.ViewChannel | P.SendMessages | P.ManageChannels);
        await owner.AssignRoleAsync(server.Id, channelManager, managerRole.Id);
        var view = ((long)P.ViewChannel).ToString(CultureInfo.InvariantCulture);
        object Private(params object[] allowed) => new
        {
            name = "staff room",
            type = "text",
            slowModeSeconds = 0,
            permissionOverwrites = new[] { (object)new { targetType = "role", targetId = server.Id, allow = "0", deny = view } }.Concat(allowed).ToArray(),
        };
        var url = $"/api/v1/servers/{server.Id}/channels";
        var before = await app.SnapshotAsync();

        // Overwrites need Manage Roles, known targets, each once; a refused one leaves no channel behind.
        await (await channelManager.Client.PostAsJsonAsync(url, Private())).AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        await (await owner.Client.PostAsJsonAsync(url, Private(new { targetType = "role", targetId = 12345, allow = view, deny = "0" })))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await owner.Client.PostAsJsonAsync(url, Private(new { targetType = "team", targetId = staffRole.Id, allow = view, deny = "0" })))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await owner.Client.PostAsJsonAsync(url, Private(new { targetType = "role", targetId = server.Id, allow = view, deny = "0" })))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(before, await app.SnapshotAsync());

        var created = await (await owner.Client.PostAsJsonAsync(url, Private(new { targetType = "role", targetId = staffRole.Id, allow = view, deny = "0" })))
            .ReadAsync<ChannelResponse>(HttpStatusCode.Created);

        var staffSees = await (await staff.Client.GetAsync(url)).ReadAsync<List<ChannelResponse>>();
        Assert.Contains(staffSees, c => c.Id == created.Id);
        var guestSees = await (await guest.Client.GetAsync(url)).ReadAsync<List<ChannelResponse>>();
        Assert.DoesNotContain(guestSees, c => c.Id == created.Id);
        await (await guest.Client.GetAsync($"/api/v1/channels/{created.Id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var overwrites = await (await owner.Client.GetAsync($"/api/v1/channels/{created.Id}/permissions")).ReadAsync<List<OverwriteResponse>>();
        Assert.Equal([("role", server.Id, "0", view), ("role", staffRole.Id, view, "0")],
            overwrites.Select(o => (o.TargetType, o.TargetId, o.Allow, o.Deny)).OrderBy(o => o.Item2 == server.Id ? 0 : 1));
    }

    [Fact]
    public async Task A_manager_of_channels_cannot_move_a_channel_they_cannot_see_or_put_one_under_it()
    {
        var owner = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        var general = await owner.CreateChannelAsync(server.Id, "lobby");
        var hidden = new[] { new { targetType = "role", targetId = server.Id, allow = "0", deny = ((long)P.ViewChannel).ToString(CultureInfo.InvariantCulture) } };
        async Task<ChannelResponse> PrivateAsync(string name, string type) =>
            await (await owner.Client.PostAsJsonAsync($"/api/v1/servers/{server.Id}/channels", new { name, type, slowModeSeconds = 0, permissionOverwrites = hidden }))
                .ReadAsync<ChannelResponse>(HttpStatusCode.Created);
        var staff = await PrivateAsync("Staff", "category");
        var secret = await PrivateAsync("secret", "text");
        var manager = await app.UserAsync();
        await manager.JoinAsync(owner, server.Id);
        var role = await owner.CreateRoleAsync(server.Id, "channel managers", P.ManageChannels);
        await owner.AssignRoleAsync(server.Id, manager, role.Id);
        var before = await app.SnapshotAsync();

        // Each would have been a change to a place the manager cannot see, and its 200 a sign that the place exists.
        await (await manager.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}/channels/positions", new[] { new { id = secret.Id, position = 9 } }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await manager.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}/channels/positions", new[] { new { id = general.Id, position = 0, parentId = staff.Id } }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await manager.Client.PatchAsJsonAsync($"/api/v1/channels/{general.Id}", new { parentId = staff.Id }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await manager.Client.PostAsJsonAsync($"/api/v1/servers/{server.Id}/channels", new { name = "inside", type = "text", parentId = staff.Id, slowModeSeconds = 0 }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(before, await app.SnapshotAsync());

        // What the manager can see, they still arrange; the owner arranges everything.
        Assert.Equal(HttpStatusCode.OK, (await manager.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}/channels/positions", new[] { new { id = general.Id, position = 3 } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}/channels/positions", new[] { new { id = general.Id, position = 0, parentId = staff.Id } })).StatusCode);
    }

    [Fact]
    public async Task Overwrites_need_manage_roles_a_known_target_and_valid_bits()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var stranger = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await member.JoinAsync(owner, server.Id);
        var channel = await owner.CreateChannelAsync(server.Id, "news");
        var url = $"/api/v1/channels/{channel.Id}/permissions";
        var before = await app.SnapshotAsync();

        await (await member.Client.PutAsJsonAsync($"{url}/role/{server.Id}", new { allow = "0", deny = "1024" }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        await (await stranger.Client.PutAsJsonAsync($"{url}/role/{server.Id}", new { allow = "0", deny = "1024" }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await owner.Client.PutAsJsonAsync($"{url}/everyone/{server.Id}", new { allow = "0", deny = "1024" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await owner.Client.PutAsJsonAsync($"{url}/member/{stranger.Id}", new { allow = "0", deny = "1024" }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await owner.Client.PutAsJsonAsync($"{url}/role/{server.Id}", new { allow = "-1", deny = "0" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await owner.Client.PutAsJsonAsync($"{url}/role/{server.Id}", new { allow = "1125899906842624", deny = "0" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await owner.Client.DeleteAsync($"{url}/role/{server.Id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task Editing_and_reordering_channels_logs_channel_updated()
    {
        var owner = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        var category = await owner.CreateChannelAsync(server.Id, "Talk", "category");
        var channel = await owner.CreateChannelAsync(server.Id, "chat");

        var edited = await (await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{channel.Id}",
            new { name = "Main Chat", topic = "Be nice", slowModeSeconds = 30, parentId = category.Id })).ReadAsync<ChannelResponse>();
        Assert.Equal(("main-chat", "Be nice", 30, category.Id), (edited.Name, edited.Topic, edited.SlowModeSeconds, edited.ParentId));
        Assert.Equal("ChannelUpdated", (await app.EventTypesAsync(EventScope.Server, server.Id))[^1]);

        await (await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{channel.Id}", new { slowModeSeconds = 99999 }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{category.Id}", new { parentId = category.Id }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        var reordered = await (await owner.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}/channels/positions",
            new object[] { new { id = channel.Id, position = 0, parentId = "0" }, new { id = category.Id, position = 5 } })).ReadAsync<List<ChannelResponse>>();
        var moved = reordered.Single(c => c.Id == channel.Id);
        Assert.Equal((0, (Snowflake?)null), (moved.Position, moved.ParentId));
        Assert.Equal(5, reordered.Single(c => c.Id == category.Id).Position);
        await (await owner.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}/channels/positions", new[] { new { id = "123", position = 0 } }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Deleting_a_channel_removes_its_messages_reactions_mentions_pins_attachments_and_read_states()
    {
        var owner = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        var category = await owner.CreateChannelAsync(server.Id, "Area", "category");
        var channel = await owner.CreateChannelAsync(server.Id, "doomed", parentId: category.Id);
        var keep = await owner.CreateChannelAsync(server.Id, "kept", parentId: category.Id);
        var channelId = channel.Id;
        await app.QueryAsync(async db =>
        {
            var (pinned, stays) = (new Snowflake(1001), new Snowflake(1002));
            db.Messages.Add(new Message { Id = pinned, ChannelId = channelId, AuthorId = owner.Id, Content = "pinned", PinnedAt = DateTimeOffset.UtcNow });
            db.Messages.Add(new Message { Id = stays, ChannelId = keep.Id, AuthorId = owner.Id, Content = "stays" });
            db.Reactions.Add(new Reaction { MessageId = pinned, Emoji = "👍", UserId = owner.Id });
            db.MessageMentions.Add(new MessageMention { MessageId = pinned, TargetType = MentionTarget.User, TargetId = owner.Id });
            db.Attachments.Add(new Attachment { Id = new Snowflake(2001), MessageId = pinned, ChannelId = channelId, UploaderId = owner.Id, StorageKey = "k", FileName = "a.png", ContentType = "image/png" });
            db.ReadStates.Add(new ReadState { UserId = owner.Id, ChannelId = channelId, LastReadMessageId = pinned });
            return await db.SaveChangesAsync();
        });

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{channel.Id}")).StatusCode);

        var left = await app.QueryAsync(async db => new[]
        {
            await db.Channels.CountAsync(c => c.Id == channelId), await db.Messages.CountAsync(m => m.ChannelId == channelId),
            await db.Reactions.CountAsync(), await db.MessageMentions.CountAsync(), await db.Attachments.CountAsync(),
            await db.ReadStates.CountAsync(),
        });
        Assert.All(left, count => Assert.Equal(0, count));
        Assert.Equal(1, await app.QueryAsync(db => db.Messages.CountAsync()));
        Assert.Equal("ChannelDeleted", (await app.EventTypesAsync(EventScope.Server, server.Id))[^1]);
        await (await owner.Client.GetAsync($"/api/v1/channels/{channel.Id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");

        // Deleting a category keeps its channels, outside any category.
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{category.Id}")).StatusCode);
        Assert.Null((await (await owner.Client.GetAsync($"/api/v1/channels/{keep.Id}")).ReadAsync<ChannelResponse>()).ParentId);
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteChannelTests(SqliteApp app) : ChannelTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresChannelTests(PostgresApp app) : ChannelTests(app), IClassFixture<PostgresApp>;
