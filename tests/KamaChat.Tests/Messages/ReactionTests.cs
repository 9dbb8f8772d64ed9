using System.Net;
using KamaChat.Server.Features.Messages;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Messages;

public abstract class ReactionTests(KamaChatApp app)
{

    [Fact]
    public async Task Reacting_is_idempotent_and_counts_show_who_reacted()
    {
        var member = await app.UserAsync();
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync(member);
        var message = await owner.Client.SendOkAsync(channelId, "react to me");
        var url = ChatApi.Reactions(channelId, message.Id, "👍🏽");

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.PutAsync(url + "/@me", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.PutAsync(url + "/@me", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await member.Client.PutAsync(url + "/@me", null)).StatusCode);

        var seenByOwner = await (await owner.Client.GetAsync($"/api/v1/channels/{channelId}/messages/{message.Id}")).ReadAsync<MessageResponse>();
        Assert.Equal([new ReactionSummary("👍🏽", 2, true)], seenByOwner.Reactions);
        var users = await (await member.Client.GetAsync(url)).ReadAsync<List<UserSummary>>();
        Assert.Equal(new[] { owner.Id, member.Id }.Order(), users.Select(u => u.Id));
        var afterFirst = await (await member.Client.GetAsync($"{url}?after={users[0].Id}&limit=1")).ReadAsync<List<UserSummary>>();
        Assert.Equal([users[1].Id], afterFirst.Select(u => u.Id));

        Assert.Equal(HttpStatusCode.NoContent, (await member.Client.DeleteAsync(url + "/@me")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await member.Client.DeleteAsync(url + "/@me")).StatusCode);
        var seenByMember = await (await member.Client.GetAsync($"/api/v1/channels/{channelId}/messages/{message.Id}")).ReadAsync<MessageResponse>();
        Assert.Equal([new ReactionSummary("👍🏽", 1, false)], seenByMember.Reactions);

        var events = await app.AssertChannelEventsAsync(channelId, "MessageCreated", "ReactionAdded", "ReactionAdded", "ReactionRemoved");
        Assert.Contains("\"emoji\":\"", events[1].Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Removing_someone_elses_reaction_needs_MANAGE_MESSAGES()
    {
        var member = await app.UserAsync();
        var moderator = await app.UserAsync();
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync(member, moderator);
        await app.SeedRoleAsync(serverId, Perms.ManageMessages, moderator);
        var message = await owner.Client.SendOkAsync(channelId, "hi");
        var url = ChatApi.Reactions(channelId, message.Id, "🎉");
        await owner.Client.PutAsync(url + "/@me", null);

        await (await member.Client.DeleteAsync($"{url}/{owner.Id}")).AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        Assert.Equal(1, await app.QueryAsync(db => db.Reactions.CountAsync(r => r.MessageId == message.Id)));

        Assert.Equal(HttpStatusCode.NoContent, (await moderator.Client.DeleteAsync($"{url}/{owner.Id}")).StatusCode);
        Assert.Equal(0, await app.QueryAsync(db => db.Reactions.CountAsync(r => r.MessageId == message.Id)));
        await app.AssertChannelEventsAsync(channelId, "MessageCreated", "ReactionAdded", "ReactionRemoved");
    }

    [Theory]
    [InlineData("a")]
    [InlineData("1")]
    [InlineData("ab😀")]
    [InlineData(" ")]
    [InlineData("😀 ")]
    [InlineData("\u0007")]
    [InlineData("\u200D")]
    [InlineData("<:custom:123>")]
    public async Task Anything_but_unicode_emoji_is_refused(string emoji)
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var message = await owner.Client.SendOkAsync(channelId, "hi");

        // A control character never reaches the endpoint: every route value is checked for them first.
        var code = emoji.Any(char.IsControl) ? "validation_failed" : "invalid_emoji";
        await (await owner.Client.PutAsync(ChatApi.Reactions(channelId, message.Id, emoji) + "/@me", null))
            .AssertProblemAsync(HttpStatusCode.BadRequest, code);
        Assert.Equal(0, await app.QueryAsync(db => db.Reactions.CountAsync(r => r.MessageId == message.Id)));
    }

    [Theory]
    [InlineData("😀")]
    [InlineData("❤️")]
    [InlineData("👩‍👩‍👧‍👦")]
    [InlineData("🇫🇷")]
    [InlineData("1️⃣")]
    [InlineData("🏴󠁧󠁢󠁳󠁣󠁴󠁿")]
    [InlineData("👍🏿🎉")]
    public async Task Unicode_emoji_are_accepted(string emoji)
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var message = await owner.Client.SendOkAsync(channelId, "hi");

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.PutAsync(ChatApi.Reactions(channelId, message.Id, emoji) + "/@me", null)).StatusCode);
        Assert.Equal(emoji, await app.QueryAsync(db => db.Reactions.Where(r => r.MessageId == message.Id).Select(r => r.Emoji).SingleAsync()));
    }

    [Fact]
    public async Task A_message_takes_at_most_20_different_emoji()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var message = await owner.Client.SendOkAsync(channelId, "hi");
        var emoji = Enumerable.Range(0, 21).Select(i => char.ConvertFromUtf32(0x1F600 + i)).ToList();

        foreach (var e in emoji.Take(20))
            Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.PutAsync(ChatApi.Reactions(channelId, message.Id, e) + "/@me", null)).StatusCode);
        await (await owner.Client.PutAsync(ChatApi.Reactions(channelId, message.Id, emoji[20]) + "/@me", null))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "too_many_reactions");

        Assert.Equal(20, await app.QueryAsync(db => db.Reactions.CountAsync(r => r.MessageId == message.Id)));
        Assert.Equal(21, (await app.EventsAsync(Server.Features.Events.EventScope.Channel, channelId)).Count);
    }

    [Fact]
    public async Task Concurrent_identical_reactions_store_one_row_and_one_event()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var message = await owner.Client.SendOkAsync(channelId, "hi");
        var url = ChatApi.Reactions(channelId, message.Id, "🔥") + "/@me";

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => owner.Client.PutAsync(url, null)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.NoContent, r.StatusCode));
        Assert.Equal(1, await app.QueryAsync(db => db.Reactions.CountAsync(r => r.MessageId == message.Id)));
        await app.AssertChannelEventsAsync(channelId, "MessageCreated", "ReactionAdded");
    }

    [Fact]
    public async Task Reacting_needs_ADD_REACTIONS()
    {
        var member = await app.UserAsync();
        var owner = await app.UserAsync();
        var serverId = await app.SeedServerAsync(owner, Perms.DefaultEveryone & ~Perms.AddReactions);
        var channelId = await app.SeedTextChannelAsync(serverId);
        await app.SeedMemberAsync(serverId, member);
        var message = await owner.Client.SendOkAsync(channelId, "hi");

        await (await member.Client.PutAsync(ChatApi.Reactions(channelId, message.Id, "😀") + "/@me", null))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteReactionTests(SqliteApp app) : ReactionTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresReactionTests(PostgresApp app) : ReactionTests(app), IClassFixture<PostgresApp>;
