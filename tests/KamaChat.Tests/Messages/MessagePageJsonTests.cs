using System.Buffers;
using System.Text;
using System.Text.Json;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Infrastructure.Ids;
using KamaChat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ApiJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace KamaChat.Tests.Messages;

/// <summary>
/// A history page is written by its own source-generated serializer (<see cref="MessagePage"/>); its bytes must be the
/// ones the API's serializer writes for the same page, whatever parts the messages have.
/// </summary>
public sealed class MessagePageJsonTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public void A_page_with_every_part_a_message_can_have_is_written_as_the_apis_serializer_writes_it()
    {
        var at = new DateTimeOffset(2026, 12, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(1_234_567);
        var author = new UserSummary(new Snowflake(9_007_199_254_740_993), "ann", "Ann \"the\" <b>Author</b> é 🐱", "https://example.com/a.png?x=1&y=2");
        var tombstone = new UserSummary(new Snowflake(2), "deleted_user_2", "Deleted User", null);
        var nameless = UserSummary.Of(new Snowflake(3), null, null, null);
        var image = new AttachmentSummary(new Snowflake(10), "a \"file\"\n.png", "image/png", 5_000_000_000, 640, 480, null, "thumbhash", null, "ready", 100,
            "https://files.example/k?sig=a+b/c", "https://files.example/t", null, null);
        var song = new AttachmentSummary(new Snowflake(11), "song.ogg", "audio/ogg", 99, null, null, 3000, null, "AAEC", "processing", 40, null, null, null, null);
        MessageResponse Message(long id, UserSummary by, string content) =>
            new(new Snowflake(id), new Snowflake(1), by, content, null, null, [], [], false, at, null, false, [], [], [], false, id);
        var page = new List<MessageResponse>
        {
            Message(100, author, "plain"),
            Message(101, author, "tab\there, control \u0001, line\r\nbreak, back\\slash, <script>&amp;, \u2028, 😀") with
            {
                Nonce = "n-1", EditedAt = at.AddMinutes(2), Pinned = true, MentionsEveryone = true,
                ReplyTo = new ReplyPreview(new Snowflake(100), author.Id, "plain", false),
                Mentions = [author.Id, tombstone.Id], MentionRoles = [new Snowflake(7)],
                Reactions = [new ReactionSummary("❤", 1, false), new ReactionSummary("👍", 2, true)],
                Attachments = [image, song],
                Embeds = [new("https://example.com/?a=1&b=<2>", "Site \"é\"", "Title 🐱", null), new("http://example.com/", null, null, "d\u2028")],
            },
            Message(105, author, "no previews") with { EmbedsSuppressed = true },
            Message(102, tombstone, "by a deleted account") with { ReplyTo = new ReplyPreview(new Snowflake(5), null, null, true) },
            Message(103, nameless, "") with { Kind = MessageKinds.Name(MessageKind.RecipientAdded), Target = tombstone },
            Message(104, author, "offset") with { CreatedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(-5)) },
        };

        Assert.Equal(ApiJson(page), PageJson(page));
        Assert.Equal(ApiJson([]), PageJson([]));
    }

    private JsonSerializerOptions Api => app.Services.GetRequiredService<IOptions<ApiJsonOptions>>().Value.SerializerOptions;

    private string ApiJson(List<MessageResponse> page) => JsonSerializer.Serialize(page, Api);

    private string PageJson(List<MessageResponse> page)
    {
        var buffer = new ArrayBufferWriter<byte>();
        MessagePage.Write(buffer, page, Api);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
