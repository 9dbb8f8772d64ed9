using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.LinkPreviews;

namespace KamaChat.Server.Features.Messages;

/// <summary>
/// A new message: text, files uploaded beforehand (<c>POST …/attachments</c>), or both. <see cref="Content"/> may be empty
/// only when <see cref="AttachmentIds"/> names at least one upload.
/// </summary>
public sealed record SendMessageRequest(
    [property: TrimmedLength(0, Message.ContentMaxLength)] string? Content,
    [property: StringLength(Message.NonceMaxLength, MinimumLength = 1)] string? Nonce,
    Snowflake? ReplyTo,
    [property: MaxLength(UploadOptions.MaxAttachmentsPerMessage)] Snowflake[]? AttachmentIds = null);

public sealed record EditMessageRequest(
    [property: Required, TrimmedLength(1, Message.ContentMaxLength)] string Content);

/// <summary>How a user appears next to what they wrote (a deleted account shows as its tombstone).</summary>
[ImmutableObject(true)] // cached (KamaCache): never changed once made
public sealed record UserSummary(Snowflake Id, string Username, string? DisplayName, string? AvatarUrl)
{
    public static UserSummary Of(Snowflake id, string? username, string? displayName, string? avatarUrl) =>
        new(id, username ?? "", displayName, avatarUrl);
}

/// <summary>The message a reply points at; <see cref="Deleted"/> when it is gone.</summary>
public sealed record ReplyPreview(Snowflake Id, Snowflake? AuthorId, string? Content, bool Deleted);

public sealed record ReactionSummary(string Emoji, int Count, bool Me);

public sealed record MessageResponse(
    Snowflake Id,
    Snowflake ChannelId,
    UserSummary Author,
    string Content,
    string? Nonce,
    ReplyPreview? ReplyTo,
    IReadOnlyList<Snowflake> Mentions,
    IReadOnlyList<Snowflake> MentionRoles,
    bool MentionsEveryone,
    DateTimeOffset CreatedAt,
    DateTimeOffset? EditedAt,
    bool Pinned,
    IReadOnlyList<ReactionSummary> Reactions,
    IReadOnlyList<AttachmentSummary> Attachments,
    IReadOnlyList<MessageEmbed> Embeds,
    bool EmbedsSuppressed,
    long Sequence,
    string Kind = MessageKinds.Default,
    UserSummary? Target = null);

/// <summary>
/// <see cref="MessageResponse.Kind"/> on the wire: "default" for what people write; the others are lines the server
/// writes about a change, by the author (who did it) about <see cref="MessageResponse.Target"/> (whom it was done to),
/// with the new name as the content of a rename.
/// </summary>
public static class MessageKinds
{
    public const string Default = "default";

    public static string Name(MessageKind kind) => kind switch
    {
        MessageKind.RecipientAdded => "recipientAdded",
        MessageKind.RecipientRemoved => "recipientRemoved",
        MessageKind.ChannelNameChanged => "channelNameChanged",
        MessageKind.ChannelIconChanged => "channelIconChanged",
        MessageKind.CallMissed => "callMissed",
        MessageKind.CallEnded => "callEnded",
        MessageKind.MemberJoined => "memberJoined",
        _ => Default,
    };
}

/// <summary>Length limits that count what is left after trimming, so "   " is empty and padding cannot smuggle in length.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter | AttributeTargets.Field)]
public sealed class TrimmedLengthAttribute(int minimum, int maximum) : ValidationAttribute
{
    public int Minimum { get; } = minimum;

    public int Maximum { get; } = maximum;

    public override bool IsValid(object? value) =>
        value is null || (value is string text && text.Trim().Length is var length && length >= Minimum && length <= Maximum);

    public override string FormatErrorMessage(string name) =>
        string.Format(CultureInfo.InvariantCulture, "{0} must be {1} to {2} characters long, not counting surrounding whitespace.", name, Minimum, Maximum);
}
