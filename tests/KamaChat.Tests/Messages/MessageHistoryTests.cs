using System.Net;
using System.Text.Json;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Infrastructure.Ids;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Messages;

public abstract class MessageHistoryTests(KamaChatApp app)
{

    [Fact]
    public async Task History_pages_through_250_messages_without_duplicates_or_gaps()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var all = await app.SeedMessagesAsync(channelId, owner, 250); // oldest first

        // Backwards with before, newest first.
        var seen = new List<Snowflake>();
        Snowflake? cursor = null;
        while (true)
        {
            var url = $"/api/v1/channels/{channelId}/messages?limit=100" + (cursor is null ? "" : $"&before={cursor}");
            var page = await (await owner.Client.GetAsync(url)).ReadAsync<List<MessageResponse>>();
            if (page.Count == 0)
                break;
            Assert.Equal(page.Select(m => m.Id).OrderByDescending(i => i), page.Select(m => m.Id));
            seen.AddRange(page.Select(m => m.Id));
            cursor = page[^1].Id;
        }
        Assert.Equal(all.AsEnumerable().Reverse(), seen);

        // Forwards with after: each page holds the next oldest messages, newest first.
        var forward = new List<Snowflake>();
        cursor = default(Snowflake);
        while (true)
        {
            var page = await (await owner.Client.GetAsync($"/api/v1/channels/{channelId}/messages?limit=60&after={cursor}")).ReadAsync<List<MessageResponse>>();
            if (page.Count == 0)
                break;
            forward.AddRange(page.Select(m => m.Id).Reverse());
            cursor = page[0].Id;
        }
        Assert.Equal(all, forward);

        // Around: the message itself, half the page newer, the rest older, contiguous.
        var center = all[120];
        var around = await (await owner.Client.GetAsync($"/api/v1/channels/{channelId}/messages?around={center}&limit=50")).ReadAsync<List<MessageResponse>>();
        Assert.Equal(all.Skip(95).Take(50).Reverse(), around.Select(m => m.Id));

        var latest = await (await owner.Client.GetAsync($"/api/v1/channels/{channelId}/messages")).ReadAsync<List<MessageResponse>>();
        Assert.Equal(all.TakeLast(50).Reverse(), latest.Select(m => m.Id));
    }

    /// <summary>
    /// Everything a page shows besides a message's own row — replies (to a live and to a deleted message), mentions,
    /// reactions as each viewer sees them, attachments, a system line — is read per page in one go and handed back to
    /// the right message; a message just outside the page lends it nothing.
    /// </summary>
    [Fact]
    public async Task A_page_carries_each_messages_replies_mentions_reactions_attachments_and_system_lines()
    {
        var member = await app.UserAsync();
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync(member);
        var role = await app.SeedRoleAsync(serverId, Perms.None);
        var ids = app.Services.GetRequiredService<SnowflakeGenerator>();
        var (outside, question, doomed, answer, orphan, mentioning, reacted, attached, joined) =
            (ids.NextId(), ids.NextId(), ids.NextId(), ids.NextId(), ids.NextId(), ids.NextId(), ids.NextId(), ids.NextId(), ids.NextId());
        var (ready, pending, elsewhere) = (ids.NextId(), ids.NextId(), ids.NextId());
        var longQuestion = new string('q', 150);
        await app.WriteDirectAsync(db =>
        {
            Message Line(Snowflake id, string content, Snowflake? replyTo = null) =>
                new() { Id = id, ChannelId = channelId, AuthorId = owner.Id, Content = content, ReplyToId = replyTo, CreatedAt = DateTimeOffset.UtcNow };
            // Mentions as a send stores them: parsed from the content (a page reads them only when some content holds "<@").
            var everyone = Line(mentioning, $"hey all, <@&{role}> <@{member.Id}> <@{owner.Id}>");
            everyone.MentionsEveryone = true;
            db.Messages.AddRange(Line(outside, "just outside the page"), Line(question, longQuestion), Line(doomed, "soon gone"),
                Line(answer, "the answer", question), Line(orphan, "to what?", doomed), everyone, Line(reacted, "react"), Line(attached, "files"));
            db.Messages.Add(new Message
            {
                Id = joined, ChannelId = channelId, AuthorId = member.Id, Content = "", Kind = MessageKind.MemberJoined, TargetUserId = member.Id,
                CreatedAt = DateTimeOffset.UtcNow,
            });
            foreach (var (target, type) in new[] { (role, MentionTarget.Role), (member.Id, MentionTarget.User), (owner.Id, MentionTarget.User) })
                db.MessageMentions.Add(new MessageMention { MessageId = mentioning, ChannelId = channelId, TargetType = type, TargetId = target });
            db.MessageMentions.Add(new MessageMention { MessageId = outside, ChannelId = channelId, TargetType = MentionTarget.User, TargetId = owner.Id });
            foreach (var (emoji, user) in new[] { ("👍", owner.Id), ("🎉", member.Id), ("👍", member.Id), ("❤", member.Id) })
                db.Reactions.Add(new Reaction { MessageId = reacted, Emoji = emoji, UserId = user, CreatedAt = DateTimeOffset.UtcNow });
            db.Reactions.Add(new Reaction { MessageId = outside, Emoji = "👍", UserId = owner.Id, CreatedAt = DateTimeOffset.UtcNow });
            db.Attachments.AddRange(
                new Attachment
                {
                    Id = ready, MessageId = attached, ChannelId = channelId, UploaderId = owner.Id, StorageKey = "k/ready", FileName = "cat.png",
                    ContentType = "image/png", Size = 12345, Width = 640, Height = 480, Placeholder = "thumbhash", ThumbnailKey = "k/thumb",
                    State = AttachmentState.Ready, ProcessingProgress = 100, CreatedAt = DateTimeOffset.UtcNow,
                },
                new Attachment
                {
                    Id = pending, MessageId = attached, ChannelId = channelId, UploaderId = owner.Id, StorageKey = "k/pending", FileName = "song.ogg",
                    ContentType = "audio/ogg", Size = 99, DurationMs = 3000, Waveform = "AAEC", State = AttachmentState.Processing, ProcessingProgress = 40,
                    CreatedAt = DateTimeOffset.UtcNow,
                },
                new Attachment
                {
                    Id = elsewhere, MessageId = outside, ChannelId = channelId, UploaderId = owner.Id, StorageKey = "k/out", FileName = "out.txt",
                    ContentType = "text/plain", State = AttachmentState.Ready, CreatedAt = DateTimeOffset.UtcNow,
                });
            return db.SaveChangesAsync();
        });
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{channelId}/messages/{doomed}")).StatusCode);

        var url = $"/api/v1/channels/{channelId}/messages?limit=7";
        var response = await owner.Client.GetAsync(url);
        var page = (await response.ReadAsync<List<MessageResponse>>()).ToDictionary(m => m.Id);
        // Written by the page's own serializer (MessagePage): the bytes and type the API's serializer gives the same page.
        var api = app.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(JsonSerializer.Serialize(JsonSerializer.Deserialize<List<MessageResponse>>(body, api), api), body);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(new[] { question, answer, orphan, mentioning, reacted, attached, joined }.Order(), page.Keys.Order());

        Assert.Equal(new ReplyPreview(question, owner.Id, new string('q', 99) + "…", false), page[answer].ReplyTo);
        Assert.Equal(new ReplyPreview(doomed, null, null, true), page[orphan].ReplyTo);
        Assert.Null(page[question].ReplyTo);

        Assert.Equal(new[] { owner.Id, member.Id }.Order(), page[mentioning].Mentions);
        Assert.Equal([role], page[mentioning].MentionRoles);
        Assert.True(page[mentioning].MentionsEveryone);
        Assert.All(page.Values.Where(m => m.Id != mentioning), m => Assert.Empty(m.Mentions.Concat(m.MentionRoles)));

        Assert.Equal([new ReactionSummary("❤", 1, false), new ReactionSummary("🎉", 1, false), new ReactionSummary("👍", 2, true)], page[reacted].Reactions);
        var seenByMember = (await (await member.Client.GetAsync(url)).ReadAsync<List<MessageResponse>>()).Single(m => m.Id == reacted);
        Assert.Equal([new ReactionSummary("❤", 1, true), new ReactionSummary("🎉", 1, true), new ReactionSummary("👍", 2, true)], seenByMember.Reactions);
        Assert.All(page.Values.Where(m => m.Id != reacted), m => Assert.Empty(m.Reactions));

        var files = page[attached].Attachments;
        Assert.Equal([ready, pending], files.Select(a => a.Id));
        var (image, song) = (files[0], files[1]);
        Assert.Equal(("cat.png", "image/png", 12345L, 640, 480, (int?)null, "thumbhash", (string?)null, "ready", 100),
            (image.FileName, image.ContentType, image.Size, image.Width, image.Height, image.DurationMs, image.Placeholder, image.Waveform, image.State, image.Progress));
        Assert.NotNull(image.Url);
        Assert.NotNull(image.ThumbnailUrl);
        Assert.Equal(("song.ogg", "audio/ogg", 99L, (int?)null, 3000, "AAEC", "processing", 40, (string?)null),
            (song.FileName, song.ContentType, song.Size, song.Width, song.DurationMs, song.Waveform, song.State, song.Progress, song.Url));
        Assert.All(page.Values.Where(m => m.Id != attached), m => Assert.Empty(m.Attachments));

        Assert.Equal(MessageKinds.Name(MessageKind.MemberJoined), page[joined].Kind);
        Assert.Equal((member.Id, member.Username), (page[joined].Target?.Id, page[joined].Target?.Username));
        Assert.Equal(MessageKinds.Default, page[answer].Kind);
        Assert.Null(page[answer].Target);

        // A single message and a page read around it are built the same way.
        var one = await (await member.Client.GetAsync($"/api/v1/channels/{channelId}/messages/{reacted}")).ReadAsync<MessageResponse>();
        Assert.Equal(seenByMember.Reactions, one.Reactions);
        var around = (await (await owner.Client.GetAsync($"/api/v1/channels/{channelId}/messages?around={orphan}&limit=3")).ReadAsync<List<MessageResponse>>())
            .Single(m => m.Id == orphan);
        Assert.Equal(page[orphan].ReplyTo, around.ReplyTo);
    }

    /// <summary>
    /// A page's rows come from a statement written by hand (newest, before and after; on PostgreSQL with their parts in
    /// the same statement), a message by id from EF Core's query and its parts from their own: both read every column the
    /// same, times to the millisecond, a system line's target with its profile, an edited, pinned, nonced reply among
    /// them, mentions, reactions and an attachment.
    /// </summary>
    [Fact]
    public async Task A_page_read_by_hand_matches_the_same_messages_read_through_ef_core()
    {
        var member = await app.UserAsync();
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync(member);
        var ids = app.Services.GetRequiredService<SnowflakeGenerator>();
        var (first, edited, system, last) = (ids.NextId(), ids.NextId(), ids.NextId(), ids.NextId());
        // Whole milliseconds: SQLite's column (EF Core's binary converter) keeps no finer.
        var at = new DateTimeOffset(2026, 12, 4, 5, 6, 7, 123, TimeSpan.Zero);
        await app.WriteDirectAsync(async db =>
        {
            var target = await db.Users.SingleAsync(u => u.Id == member.Id);
            (target.DisplayName, target.AvatarUrl) = ("Member Shown", "https://example.com/a.png");
            db.Messages.AddRange(
                new Message { Id = first, ChannelId = channelId, AuthorId = owner.Id, Content = $"first <@{member.Id}>", CreatedAt = at, Sequence = 11 },
                new Message
                {
                    Id = edited, ChannelId = channelId, AuthorId = member.Id, Content = "edited", Nonce = "n-1", ReplyToId = first, MentionsEveryone = true,
                    CreatedAt = at.AddSeconds(1), EditedAt = at.AddMinutes(2).AddMilliseconds(1), PinnedAt = at.AddHours(3), Sequence = 12,
                },
                new Message
                {
                    Id = system, ChannelId = channelId, AuthorId = owner.Id, Content = "", Kind = MessageKind.RecipientAdded, TargetUserId = member.Id,
                    CreatedAt = at.AddSeconds(2), Sequence = 13,
                },
                new Message { Id = last, ChannelId = channelId, AuthorId = owner.Id, Content = "last", CreatedAt = at.AddSeconds(3), Sequence = 14 });
            db.MessageMentions.Add(new MessageMention { MessageId = first, ChannelId = channelId, TargetType = MentionTarget.User, TargetId = member.Id });
            foreach (var (emoji, user) in new[] { ("👍", owner.Id), ("👍", member.Id), ("🎉", member.Id) })
                db.Reactions.Add(new Reaction { MessageId = edited, Emoji = emoji, UserId = user, CreatedAt = at });
            db.Attachments.Add(new Attachment
            {
                Id = ids.NextId(), MessageId = last, ChannelId = channelId, UploaderId = owner.Id, StorageKey = "k/file", FileName = "a \"file\".png",
                ContentType = "image/png", Size = 5_000_000_000, Width = 640, Height = 480, Placeholder = "thumbhash", ThumbnailKey = "k/thumb",
                State = AttachmentState.Ready, ProcessingProgress = 100, CreatedAt = at,
            });
            return await db.SaveChangesAsync();
        });

        await using var scope = app.Services.CreateAsyncScope();
        var (db, links) = (scope.ServiceProvider.GetRequiredService<KamaDbContext>(), scope.ServiceProvider.GetRequiredService<AttachmentLinks>());
        string Json(IEnumerable<MessageResponse> page) => JsonSerializer.Serialize(page.OrderBy(m => m.Id), JsonSerializerOptions.Web);
        var all = new List<Snowflake> { first, edited, system, last };
        var byEf = await MessageQueries.LoadAsync(db, links, all, owner.Id, default);
        Assert.Equal(all, byEf.Select(m => m.Id));
        Assert.Equal(("Member Shown", at.AddMinutes(2).AddMilliseconds(1), true), (byEf[2].Target?.DisplayName, byEf[1].EditedAt, byEf[1].Pinned));
        Assert.Equal((member.Id, 2, 1), (byEf[0].Mentions.Single(), byEf[1].Reactions.Count, byEf[3].Attachments.Count));

        Assert.Equal(Json(byEf), Json(await MessageQueries.LoadNewestAsync(db, links, channelId, null, 10, owner.Id, default)));
        Assert.Equal(Json(byEf.Take(3)), Json(await MessageQueries.LoadNewestAsync(db, links, channelId, last, 10, owner.Id, default)));
        Assert.Equal(Json(byEf.Skip(1)), Json(await MessageQueries.LoadAfterAsync(db, links, channelId, first, 10, owner.Id, default)));
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=101")]
    [InlineData("before=5&after=3")]
    [InlineData("after=1&around=2")]
    public async Task Bad_history_queries_are_refused(string query)
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        await (await owner.Client.GetAsync($"/api/v1/channels/{channelId}/messages?{query}")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

}

[Trait("Provider", "sqlite")]
public sealed class SqliteMessageHistoryTests(SqliteApp app) : MessageHistoryTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresMessageHistoryTests(PostgresApp app) : MessageHistoryTests(app), IClassFixture<PostgresApp>;
