using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Messages;

public abstract class MessageTests(KamaChatApp app)
{

    [Fact]
    public async Task Sending_a_message_returns_it_updates_the_channel_and_logs_MessageCreated()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();

        var response = await owner.Client.SendMessageAsync(channelId, "  hello world  ");
        var message = await response.ReadAsync<MessageResponse>(HttpStatusCode.Created);

        Assert.Equal("hello world", message.Content);
        Assert.Equal(owner.Id, message.Author.Id);
        Assert.Equal(owner.Username, message.Author.Username);
        Assert.Equal(1, message.Sequence);
        Assert.Null(message.EditedAt);
        Assert.Empty(message.Reactions);
        Assert.Equal($"/api/v1/channels/{channelId}/messages/{message.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal(message.Id, await app.QueryAsync(db => db.Channels.Where(c => c.Id == channelId).Select(c => c.LastMessageId).SingleAsync()));

        var events = await app.AssertChannelEventsAsync(channelId, "MessageCreated");
        var payload = JsonSerializer.Deserialize<MessageResponse>(events[0].Payload, Api.Json)!;
        Assert.Equal(message.Id, payload.Id);
        Assert.Equal(1, payload.Sequence);

        var read = await (await owner.Client.GetAsync($"/api/v1/channels/{channelId}/messages/{message.Id}")).ReadAsync<MessageResponse>();
        Assert.Equal(message.Content, read.Content);
        Assert.Equal(message.Sequence, read.Sequence);
        // Ids are strings on the wire.
        var raw = await owner.Client.GetStringAsync($"/api/v1/channels/{channelId}/messages/{message.Id}");
        Assert.Equal(JsonValueKind.String, JsonDocument.Parse(raw).RootElement.GetProperty("id").ValueKind);
    }

    [Fact]
    public async Task Sending_with_the_same_nonce_twice_returns_the_original_message()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();

        var first = await owner.Client.SendOkAsync(channelId, "once", nonce: "n-1");
        var retry = await owner.Client.SendMessageAsync(channelId, "once (retried)", nonce: "n-1");

        var again = await retry.ReadAsync<MessageResponse>(HttpStatusCode.OK);
        Assert.Equal(first.Id, again.Id);
        Assert.Equal("once", again.Content);
        Assert.Equal(1, await app.MessageCountAsync(channelId));
        await app.AssertChannelEventsAsync(channelId, "MessageCreated");
    }

    [Fact]
    public async Task Ten_concurrent_identical_sends_create_exactly_one_message()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => owner.Client.SendMessageAsync(channelId, "racing", nonce: "same-nonce")));

        var bodies = await Task.WhenAll(responses.Select(async r =>
        {
            Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"{(int)r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
            return (await r.Content.ReadFromJsonAsync<MessageResponse>(Api.Json))!;
        }));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Single(bodies.Select(b => b.Id).Distinct());
        Assert.Equal(1, await app.MessageCountAsync(channelId));
        await app.AssertChannelEventsAsync(channelId, "MessageCreated");
    }

    [Fact]
    public async Task The_same_nonce_from_another_user_or_in_another_channel_is_a_new_message()
    {
        var member = await app.UserAsync();
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync(member);
        var otherChannel = await app.SeedTextChannelAsync(serverId);

        var a = await owner.Client.SendOkAsync(channelId, "a", nonce: "shared");
        var b = await member.Client.SendOkAsync(channelId, "b", nonce: "shared");
        var c = await owner.Client.SendOkAsync(otherChannel, "c", nonce: "shared");

        Assert.Equal(3, new[] { a.Id, b.Id, c.Id }.Distinct().Count());
    }

    [Fact]
    public async Task A_nonce_reused_after_24_hours_starts_a_new_message()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var old = await owner.Client.SendOkAsync(channelId, "yesterday", nonce: "daily");
        await app.QueryAsync(db => db.Messages.Where(m => m.Id == old.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.CreatedAt, DateTimeOffset.UtcNow.AddHours(-25))));

        var fresh = await owner.Client.SendOkAsync(channelId, "today", nonce: "daily");

        Assert.NotEqual(old.Id, fresh.Id);
        Assert.Null(await app.QueryAsync(db => db.Messages.Where(m => m.Id == old.Id).Select(m => m.Nonce).SingleAsync()));
        Assert.Equal(2, await app.MessageCountAsync(channelId));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t ")]
    public async Task Empty_content_is_refused(string content)
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var problem = await (await owner.Client.SendMessageAsync(channelId, content)).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotEmpty(problem.FieldErrors("content"));
        Assert.Equal(0, await app.MessageCountAsync(channelId));
    }

    [Fact]
    public async Task Over_long_content_is_refused_and_nothing_is_written()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();

        await (await owner.Client.SendMessageAsync(channelId, new string('x', 4001))).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await owner.Client.SendMessageAsync(channelId, "ok", nonce: new string('n', 65))).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.Equal(0, await app.MessageCountAsync(channelId));
        Assert.Empty(await app.EventsAsync(EventScope.Channel, channelId));
        // 4000 characters plus padding is fine: the limit counts what is left after trimming.
        var longest = await owner.Client.SendOkAsync(channelId, "  " + new string('y', 4000) + "  ");
        Assert.Equal(4000, longest.Content.Length);
    }

    [Fact]
    public async Task A_reply_carries_a_preview_and_must_point_into_the_same_channel()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var otherChannel = await app.SeedTextChannelAsync(serverId);
        var original = await owner.Client.SendOkAsync(channelId, "the question");
        var elsewhere = await owner.Client.SendOkAsync(otherChannel, "elsewhere");

        var reply = await owner.Client.SendOkAsync(channelId, "the answer", replyTo: original.Id);
        Assert.Equal(original.Id, reply.ReplyTo?.Id);
        Assert.Equal("the question", reply.ReplyTo?.Content);

        await (await owner.Client.SendMessageAsync(channelId, "wrong place", replyTo: elsewhere.Id)).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_reply");
        await (await owner.Client.SendMessageAsync(channelId, "nowhere", replyTo: new Snowflake(12345))).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_reply");
        Assert.Equal(2, await app.MessageCountAsync(channelId));
    }

    [Fact]
    public async Task Mentions_of_members_and_roles_are_stored_and_everyone_and_a_role_not_mentionable_need_MENTION_EVERYONE()
    {
        var member = await app.UserAsync();
        var stranger = await app.UserAsync();
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync(member);
        var role = await app.SeedRoleAsync(serverId, Perms.None);
        var unmentionable = await app.SeedRoleAsync(serverId, Perms.None);
        await app.WriteDirectAsync(db => db.Roles.Where(r => r.Id == role).ExecuteUpdateAsync(s => s.SetProperty(r => r.Mentionable, true)));

        // A role not marked mentionable stays plain text for one without MENTION_EVERYONE: nobody in it is pinged.
        var plain = await member.Client.SendOkAsync(channelId, $"hi <@{owner.Id}> and <@!{stranger.Id}>, <@&{role}> <@&{unmentionable}> <@&999> @everyone");
        Assert.Equal([owner.Id], plain.Mentions);
        Assert.Equal([role], plain.MentionRoles);
        Assert.False(plain.MentionsEveryone);
        Assert.Equal(2, await app.QueryAsync(db => db.MessageMentions.CountAsync(m => m.MessageId == plain.Id)));
        // Nor by an edit.
        var edited = await (await member.Client.PatchAsJsonAsync($"/api/v1/channels/{channelId}/messages/{plain.Id}", new { content = $"now <@&{unmentionable}>" }))
            .ReadAsync<MessageResponse>();
        Assert.Empty(edited.MentionRoles);

        await app.SeedRoleAsync(serverId, Perms.MentionEveryone, member);
        Assert.Equal([unmentionable], (await member.Client.SendOkAsync(channelId, $"<@&{unmentionable}> now I may")).MentionRoles);
        Assert.True((await member.Client.SendOkAsync(channelId, "@here look")).MentionsEveryone);
        Assert.True((await owner.Client.SendOkAsync(channelId, "news for @everyone")).MentionsEveryone);
        Assert.False((await owner.Client.SendOkAsync(channelId, "mail me at someone@everyone.test")).MentionsEveryone);
    }

    [Fact]
    public async Task Slow_mode_makes_members_wait_but_not_moderators()
    {
        var member = await app.UserAsync();
        var moderator = await app.UserAsync();
        var owner = await app.UserAsync();
        var serverId = await app.SeedServerAsync(owner);
        var channelId = await app.SeedTextChannelAsync(serverId, slowModeSeconds: 60);
        await app.SeedMemberAsync(serverId, member);
        await app.SeedMemberAsync(serverId, moderator);
        await app.SeedRoleAsync(serverId, Perms.ManageMessages, moderator);

        var first = await member.Client.SendOkAsync(channelId, "first", nonce: "first");
        // A retry is not a new message: slow mode does not stop it from getting its answer.
        Assert.Equal(first.Id, (await (await member.Client.SendMessageAsync(channelId, "first", nonce: "first")).ReadAsync<MessageResponse>()).Id);
        var second = await member.Client.SendMessageAsync(channelId, "second");
        await second.AssertProblemAsync(HttpStatusCode.TooManyRequests, "slow_mode");
        Assert.InRange(second.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 60);

        await moderator.Client.SendOkAsync(channelId, "one");
        await moderator.Client.SendOkAsync(channelId, "two");
        Assert.Equal(3, await app.MessageCountAsync(channelId));
    }

    [Fact]
    public async Task Only_the_author_can_edit_and_an_edit_reparses_mentions()
    {
        var member = await app.UserAsync();
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync(member);
        var message = await member.Client.SendOkAsync(channelId, $"hi <@{owner.Id}>");

        var byOwner = await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{channelId}/messages/{message.Id}", new { content = "hacked" });
        await byOwner.AssertProblemAsync(HttpStatusCode.Forbidden, "not_author");
        var unchanged = await app.QueryAsync(db => db.Messages.AsNoTracking().SingleAsync(m => m.Id == message.Id));
        Assert.Equal($"hi <@{owner.Id}>", unchanged.Content);
        Assert.Null(unchanged.EditedAt);

        await (await member.Client.PatchAsJsonAsync($"/api/v1/channels/{channelId}/messages/{message.Id}", new { content = new string('x', 4001) }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        var edited = await (await member.Client.PatchAsJsonAsync($"/api/v1/channels/{channelId}/messages/{message.Id}", new { content = $" bye <@{member.Id}> " }))
            .ReadAsync<MessageResponse>();
        Assert.Equal($"bye <@{member.Id}>", edited.Content);
        Assert.NotNull(edited.EditedAt);
        Assert.Equal([member.Id], edited.Mentions);
        await app.AssertChannelEventsAsync(channelId, "MessageCreated", "MessageUpdated");
    }

    [Fact]
    public async Task Authors_and_MANAGE_MESSAGES_members_can_delete_others_cannot()
    {
        var author = await app.UserAsync();
        var bystander = await app.UserAsync();
        var moderator = await app.UserAsync();
        var (serverId, channelId, _) = await app.SeedServerWithChannelAsync(author, bystander, moderator);
        await app.SeedRoleAsync(serverId, Perms.ManageMessages, moderator);
        var first = await author.Client.SendOkAsync(channelId, "first");
        var second = await author.Client.SendOkAsync(channelId, "second");
        await author.Client.PutAsync(ChatApi.Reactions(channelId, second.Id, "👍") + "/@me", null);

        await (await bystander.Client.DeleteAsync($"/api/v1/channels/{channelId}/messages/{second.Id}"))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        Assert.Equal(2, await app.MessageCountAsync(channelId));

        Assert.Equal(HttpStatusCode.NoContent, (await moderator.Client.DeleteAsync($"/api/v1/channels/{channelId}/messages/{second.Id}")).StatusCode);
        Assert.Equal(first.Id, await app.QueryAsync(db => db.Channels.Where(c => c.Id == channelId).Select(c => c.LastMessageId).SingleAsync()));
        Assert.Equal(0, await app.QueryAsync(db => db.Reactions.CountAsync(r => r.MessageId == second.Id)));
        Assert.Equal(HttpStatusCode.NoContent, (await author.Client.DeleteAsync($"/api/v1/channels/{channelId}/messages/{first.Id}")).StatusCode);
        await (await author.Client.GetAsync($"/api/v1/channels/{channelId}/messages/{first.Id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");

        var events = await app.AssertChannelEventsAsync(channelId, "MessageCreated", "MessageCreated", "ReactionAdded", "MessageDeleted", "MessageDeleted");
        Assert.Contains(second.Id.ToString(), events[3].Payload, StringComparison.Ordinal);
    }

}

[Trait("Provider", "sqlite")]
public sealed class SqliteMessageTests(SqliteApp app) : MessageTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresMessageTests(PostgresApp app) : MessageTests(app), IClassFixture<PostgresApp>;
