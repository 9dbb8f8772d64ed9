using System.Text.RegularExpressions;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Permissions;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Messages;

/// <summary>What a message's text asks to mention, before checking that the targets exist.</summary>
public sealed record ParsedMentions(IReadOnlySet<Snowflake> Users, IReadOnlySet<Snowflake> Roles, bool EveryoneOrHere);

/// <summary>Finds <c>&lt;@userId&gt;</c>, <c>&lt;@&amp;roleId&gt;</c>, <c>@everyone</c> and <c>@here</c> in message text.</summary>
public static partial class MentionParser
{
    /// <summary>More than this many distinct targets are ignored: a message cannot turn into a mass-ping query.</summary>
    public const int MaxTargets = 100;

    /// <summary>How every user or role mention begins: text without it mentions nobody (a history page skips the lookup).</summary>
    public const string Opening = "<@";

    public static ParsedMentions Parse(string content)
    {
        var users = new HashSet<Snowflake>();
        var roles = new HashSet<Snowflake>();
        foreach (Match match in MentionPattern().Matches(content))
        {
            if (!Snowflake.TryParse(match.Groups["id"].ValueSpan, out var id) || id == default)
                continue;
            var target = match.Groups["role"].Success ? roles : users;
            if (users.Count + roles.Count < MaxTargets)
                target.Add(id);
        }
        return new ParsedMentions(users, roles, EveryonePattern().IsMatch(content));
    }

    /// <summary>
    /// The mentions to store: users who are members of the server (recipients of the DM), roles of the server (not
    /// @everyone's own id) that are mentionable, and @everyone/@here. MENTION_EVERYONE is needed for @everyone/@here and
    /// for a role not marked mentionable (Discord's "Mention @everyone, @here, and All Roles"); without it they are plain text.
    /// </summary>
    public static async Task<(List<MessageMention> Mentions, bool MentionsEveryone)> ResolveAsync(
        KamaDbContext db, ChannelAccess access, Snowflake authorId, string content, CancellationToken cancellationToken)
    {
        var parsed = Parse(content);
        var channel = access.Channel;
        var mentions = new List<MessageMention>();
        if (parsed.Users.Count > 0)
        {
            var userIds = parsed.Users.ToList();
            var existing = channel.ServerId is { } serverId
                ? await db.Members.Where(m => m.ServerId == serverId && userIds.Contains(m.UserId)).Select(m => m.UserId).ToListAsync(cancellationToken)
                : await db.ChannelRecipients.Where(r => r.ChannelId == channel.Id && userIds.Contains(r.UserId)).Select(r => r.UserId).ToListAsync(cancellationToken);
            mentions.AddRange(existing.Select(id => new MessageMention { ChannelId = channel.Id, AuthorId = authorId, TargetType = MentionTarget.User, TargetId = id }));
        }
        var mayMentionAll = access.Has(Permissions.Permissions.MentionEveryone);
        if (parsed.Roles.Count > 0 && channel.ServerId is { } server)
        {
            var roleIds = parsed.Roles.Where(id => id != server).ToList();
            var existing = await db.Roles.Where(r => r.ServerId == server && roleIds.Contains(r.Id) && (r.Mentionable || mayMentionAll))
                .Select(r => r.Id).ToListAsync(cancellationToken);
            mentions.AddRange(existing.Select(id => new MessageMention { ChannelId = channel.Id, AuthorId = authorId, TargetType = MentionTarget.Role, TargetId = id }));
        }
        return (mentions, parsed.EveryoneOrHere && mayMentionAll);
    }

    [GeneratedRegex(@"<@(?:(?<role>&)|!?)(?<id>\d{1,19})>", RegexOptions.CultureInvariant)]
    private static partial Regex MentionPattern();

    [GeneratedRegex(@"(?<![\w`])@(?:everyone|here)\b", RegexOptions.CultureInvariant)]
    private static partial Regex EveryonePattern();
}
