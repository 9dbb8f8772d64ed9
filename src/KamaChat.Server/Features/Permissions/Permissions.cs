using System.Globalization;

namespace KamaChat.Server.Features.Permissions;

/// <summary>
/// What a member may do, as a 64-bit bitfield per role and per channel overwrite (Discord's model).
/// Values are part of the API and the database: never renumber, only add.
/// </summary>
[Flags]
#pragma warning disable CA1711 // "Permissions" is the domain name, not a collection suffix.
public enum Permissions : long
#pragma warning restore CA1711
{
    None = 0,
    CreateInvite = 1L << 0,
    Kick = 1L << 1,
    Ban = 1L << 2,
    Administrator = 1L << 3,
    ManageChannels = 1L << 4,
    ManageServer = 1L << 5,
    AddReactions = 1L << 6,
    ViewAuditLog = 1L << 7,
    ViewChannel = 1L << 10,
    SendMessages = 1L << 11,
    ManageMessages = 1L << 13,
    EmbedLinks = 1L << 14,
    AttachFiles = 1L << 15,
    ReadMessageHistory = 1L << 16,
    MentionEveryone = 1L << 17,
    Connect = 1L << 20,
    Speak = 1L << 21,
    MuteMembers = 1L << 22,
    Video = 1L << 23,

    /// <summary>Move members between voice channels and disconnect them; also joins a voice channel past its user limit.</summary>
    MoveMembers = 1L << 24,

    /// <summary>Server-deafen members in voice (Discord keeps it at 1 &lt;&lt; 23, which is VIDEO here).</summary>
    DeafenMembers = 1L << 25,
    ChangeNickname = 1L << 26,
    ManageNicknames = 1L << 27,
    ManageRoles = 1L << 28,
    PinMessages = 1L << 29,

    /// <summary>Time members out (they cannot send, react or join voice until then).</summary>
    ModerateMembers = 1L << 40,

    /// <summary>What @everyone gets in a new server.</summary>
    DefaultEveryone = CreateInvite | AddReactions | ViewChannel | SendMessages | EmbedLinks | AttachFiles |
        ReadMessageHistory | Connect | Speak | Video | ChangeNickname,

    /// <summary>What each participant of a DM or group DM may do there.</summary>
    DirectMessage = AddReactions | ViewChannel | SendMessages | EmbedLinks | AttachFiles | ReadMessageHistory |
        Connect | Speak | Video | PinMessages,

    All = CreateInvite | Kick | Ban | Administrator | ManageChannels | ManageServer | AddReactions | ViewAuditLog | ViewChannel |
        SendMessages | ManageMessages | EmbedLinks | AttachFiles | ReadMessageHistory | MentionEveryone | Connect |
        Speak | MuteMembers | Video | MoveMembers | DeafenMembers | ChangeNickname | ManageNicknames | ManageRoles | PinMessages |
        ModerateMembers,
}

/// <summary>Permission bitfields travel as decimal strings, like ids (a 64-bit field does not fit a JavaScript number).</summary>
public static class PermissionBits
{
    public const string Pattern = "^[0-9]{1,19}$";

    public static string Text(this Permissions permissions) => ((long)permissions).ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses a permission string; null when it is not a number or names bits that are not permissions.</summary>
    public static Permissions? Parse(string? value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var bits) && (bits & ~(long)Permissions.All) == 0
            ? (Permissions)bits
            : null;
}
