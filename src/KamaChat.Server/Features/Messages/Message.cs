using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KamaChat.Server.Features.Messages;

/// <summary>A message in a channel. Its id is a snowflake, so ids order messages by time and drive pagination.</summary>
public sealed class Message
{
    public const int ContentMaxLength = 4000;
    public const int NonceMaxLength = 64;

    public Snowflake Id { get; set; }

    public Snowflake ChannelId { get; set; }

    public Channel Channel { get; set; } = null!;

    public Snowflake AuthorId { get; set; }

    public User Author { get; set; } = null!;

    public string Content { get; set; } = "";

    /// <summary>The client's retry key: the same nonce from the same author in the same channel within 24 h returns this message.</summary>
    public string? Nonce { get; set; }

    public Snowflake? ReplyToId { get; set; }

    /// <summary>What the message is: something someone wrote, or a line the server writes about a change (a group DM's members, name or icon).</summary>
    public MessageKind Kind { get; set; }

    /// <summary>For a system line about a person (added, removed), that person; the author is who did it.</summary>
    public Snowflake? TargetUserId { get; set; }

    public User? TargetUser { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? EditedAt { get; set; }

    public DateTimeOffset? PinnedAt { get; set; }

    public bool MentionsEveryone { get; set; }

    /// <summary>Previews of the message's links (a JSON array of <see cref="LinkPreviews.StoredEmbed"/>; pictures by hash, signed when read), null for none.</summary>
    public string? Embeds { get; set; }

    /// <summary>The author or a moderator removed the previews: none are made again, also after an edit.</summary>
    public bool EmbedsSuppressed { get; set; }

    /// <summary>The channel sequence number of the MessageCreated event.</summary>
    public long Sequence { get; set; }

    public List<MessageMention> Mentions { get; set; } = [];

    public List<Reaction> Reactions { get; set; } = [];

    public List<Attachments.Attachment> Attachments { get; set; } = [];
}

/// <summary>A user or role mentioned by a message; drives mention counts and notifications.</summary>
public sealed class MessageMention
{
    public Snowflake MessageId { get; set; }

    /// <summary>The message's channel, copied here so unread mentions are found per channel after its read position without reading the messages.</summary>
    public Snowflake ChannelId { get; set; }

    public MentionTarget TargetType { get; set; }

    public Snowflake TargetId { get; set; }

    /// <summary>The message's author, copied here so mention counts leave out the user's own messages without reading the messages.</summary>
    public Snowflake AuthorId { get; set; }
}

/// <summary>Stored as a number: never renumber, only add.</summary>
public enum MessageKind
{
    Default = 0,
    RecipientAdded = 1,
    RecipientRemoved = 2,
    ChannelNameChanged = 3,
    ChannelIconChanged = 4,

    /// <summary>A DM call nobody answered (author: the caller).</summary>
    CallMissed = 5,

    /// <summary>A DM call that was answered, now over (author: the caller; content: its length in whole seconds).</summary>
    CallEnded = 6,

    /// <summary>Someone joined the server, in its system channel (author: the new member).</summary>
    MemberJoined = 7,
}

public enum MentionTarget
{
    User = 0,
    Role = 1,
}

public sealed class Reaction
{
    public const int EmojiMaxLength = 64;

    public Snowflake MessageId { get; set; }

    public string Emoji { get; set; } = "";

    public Snowflake UserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>How far a user has read a channel, and how many mentions of them came after that.</summary>
public sealed class ReadState
{
    public Snowflake UserId { get; set; }

    public Snowflake ChannelId { get; set; }

    public Snowflake LastReadMessageId { get; set; }

    public int MentionCount { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class MessageConfiguration :
    IEntityTypeConfiguration<Message>, IEntityTypeConfiguration<MessageMention>, IEntityTypeConfiguration<Reaction>,
    IEntityTypeConfiguration<ReadState>
{
    public void Configure(EntityTypeBuilder<Message> message)
    {
        message.ToTable("messages");
        message.Property(m => m.Id).ValueGeneratedNever();
        message.Property(m => m.Content).HasMaxLength(Message.ContentMaxLength);
        message.Property(m => m.Nonce).HasMaxLength(Message.NonceMaxLength);
        message.HasOne(m => m.Channel).WithMany().HasForeignKey(m => m.ChannelId).OnDelete(DeleteBehavior.Cascade);
        // Messages outlive their author's account: deletion anonymises the user row instead of removing it.
        message.HasOne(m => m.Author).WithMany().HasForeignKey(m => m.AuthorId).OnDelete(DeleteBehavior.Restrict);
        message.HasOne(m => m.TargetUser).WithMany().HasForeignKey(m => m.TargetUserId).OnDelete(DeleteBehavior.Restrict);
        // History pages walk (channel, id); the nonce index makes retries find the original and races impossible.
        message.HasIndex(m => new { m.ChannelId, m.Id });
        message.HasIndex(m => new { m.ChannelId, m.AuthorId, m.Nonce }).IsUnique();
        message.HasIndex(m => new { m.ChannelId, m.PinnedAt });
        message.HasIndex(m => m.AuthorId);
        // Unread @everyone mentions are counted on every connect: only those messages, by channel, not the history. It
        // covers the count's columns (the author: the user's own are left out; the flag itself), so no message row is
        // read, and so SQLite takes it with no statistics: without them it rated a partial index no better than
        // (ChannelId, Id) and took that, reading every message after the read position (all of a never-opened
        // channel's).
        message.HasIndex(m => new { m.ChannelId, m.Id, m.AuthorId, m.MentionsEveryone }, "IX_messages_ChannelId_Id_AuthorId_mentions_everyone")
            .HasFilter("\"MentionsEveryone\"");
    }

    public void Configure(EntityTypeBuilder<MessageMention> mention)
    {
        mention.ToTable("message_mentions");
        mention.HasKey(m => new { m.MessageId, m.TargetType, m.TargetId });
        mention.HasOne<Message>().WithMany(m => m.Mentions).HasForeignKey(m => m.MessageId).OnDelete(DeleteBehavior.Cascade);
        // Mention counts on connect: per channel, the mentions of the user or their roles after their read position — a
        // range of this index, however long the history before it. The author is in it so that the count (which leaves
        // out the user's own messages) reads this index alone, not a message row per mention. Named: the columns' name
        // passes PostgreSQL's 63 characters.
        mention.HasIndex(m => new { m.ChannelId, m.TargetId, m.MessageId, m.TargetType, m.AuthorId }, "IX_message_mentions_ChannelId_TargetId_MessageId_author");
    }

    public void Configure(EntityTypeBuilder<Reaction> reaction)
    {
        reaction.ToTable("reactions");
        reaction.HasKey(r => new { r.MessageId, r.Emoji, r.UserId });
        reaction.Property(r => r.Emoji).HasMaxLength(Reaction.EmojiMaxLength);
        reaction.HasOne<Message>().WithMany(m => m.Reactions).HasForeignKey(r => r.MessageId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<ReadState> readState)
    {
        readState.ToTable("read_states");
        readState.HasKey(r => new { r.UserId, r.ChannelId });
        readState.HasOne<Channel>().WithMany().HasForeignKey(r => r.ChannelId).OnDelete(DeleteBehavior.Cascade);
        readState.HasOne<User>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
