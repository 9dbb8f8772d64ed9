using System.Text.RegularExpressions;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Permissions;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Notifications;

/// <summary>
/// Message text as a notification shows it (a Web Push, an email digest), read as the client reads the message:
/// <c>&lt;@id&gt;</c> as @name, <c>&lt;@&amp;id&gt;</c> as @role (a role of the message's server), <c>&lt;#id&gt;</c> as
/// #channel where the reader may see that channel; whitespace collapsed, cut at a readable length. What the reader
/// cannot know reads as the client shows it: @someone, @deleted-role, #unknown-channel.
/// </summary>
public sealed partial class MentionText
{
    private readonly Dictionary<Snowflake, string> _users;
    private readonly Dictionary<Snowflake, (Snowflake ServerId, string Name)> _roles;
    private readonly Dictionary<Snowflake, string> _channels;

    private MentionText(Dictionary<Snowflake, string> users, Dictionary<Snowflake, (Snowflake, string)> roles, Dictionary<Snowflake, string> channels) =>
        (_users, _roles, _channels) = (users, roles, channels);

    /// <summary>The names of everyone, every role and every channel these texts mention: one query a kind, none without mentions.</summary>
    public static async Task<MentionText> LoadAsync(KamaDbContext db, IEnumerable<string> contents, CancellationToken cancellationToken)
    {
        var (users, roles, channels) = (new HashSet<Snowflake>(), new HashSet<Snowflake>(), new HashSet<Snowflake>());
        foreach (var content in contents)
            foreach (Match match in Pattern().Matches(content))
                if (Snowflake.TryParse(match.Groups["id"].ValueSpan, out var id))
                    (match.Groups["role"].Success ? roles : match.Groups["channel"].Success ? channels : users).Add(id);
        return new MentionText(
            users.Count == 0 ? [] : await db.Users.AsNoTracking().Where(u => users.Contains(u.Id))
                .ToDictionaryAsync(u => u.Id, u => u.DisplayName ?? u.UserName ?? "someone", cancellationToken),
            roles.Count == 0 ? [] : await db.Roles.AsNoTracking().Where(r => roles.Contains(r.Id))
                .ToDictionaryAsync(r => r.Id, r => (r.ServerId, r.Name), cancellationToken),
            channels.Count == 0 ? [] : await db.Channels.AsNoTracking().Where(c => channels.Contains(c.Id) && c.Name != null)
                .ToDictionaryAsync(c => c.Id, c => c.Name!, cancellationToken));
    }

    /// <summary>The channels a text mentions, for the caller to ask which its reader may see.</summary>
    public static IEnumerable<Snowflake> ChannelsIn(string content) =>
        Pattern().Matches(content).Where(m => m.Groups["channel"].Success)
            .Select(m => Snowflake.TryParse(m.Groups["id"].ValueSpan, out var id) ? id : default).Where(id => id != default).Distinct();

    /// <summary>
    /// Of the channels the text mentions, those the user may see: a permission check each, once per channel for all
    /// the texts that share <paramref name="known"/> (one reader's digest).
    /// </summary>
    public static async Task<HashSet<Snowflake>> VisibleChannelsAsync(
        PermissionService permissions, Snowflake userId, string content, Dictionary<Snowflake, bool> known, CancellationToken cancellationToken)
    {
        var visible = new HashSet<Snowflake>();
        foreach (var channelId in ChannelsIn(content))
        {
            if (!known.TryGetValue(channelId, out var seen))
                known[channelId] = seen =
                    (await permissions.AuthorizeChannelAsync(userId, channelId, Permissions.Permissions.ViewChannel, cancellationToken)).Allowed;
            if (seen)
                visible.Add(channelId);
        }
        return visible;
    }

    /// <summary>The text as its reader sees it: mentions as names, whitespace collapsed, at most <paramref name="max"/> characters.</summary>
    public string Render(string content, Snowflake? serverId, IReadOnlySet<Snowflake> visibleChannels, int max)
    {
        var text = Pattern().Replace(content, m =>
        {
            var id = Snowflake.TryParse(m.Groups["id"].ValueSpan, out var parsed) ? parsed : default;
            if (m.Groups["role"].Success)
                return "@" + (_roles.TryGetValue(id, out var role) && role.ServerId == serverId ? role.Name : "deleted-role");
            if (m.Groups["channel"].Success)
                return "#" + (visibleChannels.Contains(id) && _channels.TryGetValue(id, out var channel) ? channel : "unknown-channel");
            return "@" + _users.GetValueOrDefault(id, "someone");
        });
        text = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (text.Length <= max)
            return text;
        var cut = max - 1;
        // Never split a surrogate pair (an emoji) in half.
        if (char.IsHighSurrogate(text[cut - 1]))
            cut--;
        return text[..cut] + "…";
    }

    [GeneratedRegex(@"<(?:(?<channel>#)|@(?<role>&)|@!?)(?<id>\d{1,20})>", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
