using System.Collections.Concurrent;
using System.Text.Json.Serialization;

namespace KamaChat.Server.Features.Calls;

/// <summary>
/// One user's call in a voice channel as every node sees it: their voice state, and where the call is held (the node,
/// the gateway connection, the Janus participant), so any node can end it.
/// </summary>
public sealed record VoiceEntry(VoiceState State, string Node, string ConnectionId, long ParticipantId)
{
    [JsonIgnore]
    public Snowflake UserId => State.UserId;

    [JsonIgnore]
    public Snowflake ChannelId => State.ChannelId!.Value;
}

/// <summary>
/// What one node asks of the node holding a call: <see cref="Drop"/> (another node ended it — took it over, moved,
/// disconnected or found its lease expired — and announced it; the holder lets go of its Janus handles and tells the
/// connection why) or <see cref="Recheck"/> (apply a moderator's server mute or deafen now). A drop names the call
/// (<c>CallId</c>): one that arrives after its user joined again on the same connection leaves that newer call alone.
/// </summary>
public sealed record VoiceCommand(string Kind, Snowflake UserId, string ConnectionId, string? Reason = null, Snowflake? MovedTo = null, Snowflake? CallId = null)
{
    public const string Drop = "drop";
    public const string Recheck = "recheck";
}

/// <summary>
/// Who is in which voice channel, on every node: one entry per user (one call per account), kept by the node that
/// holds the call under a lease it renews. Without Redis (one node) it is this node's memory and leases never lapse;
/// with Redis (<see cref="RedisVoiceStates"/>) an entry whose node stopped renewing it expires, and a surviving node
/// ends it for everyone (<see cref="ExpiredAsync"/>).
/// </summary>
public interface IVoiceStates
{
    /// <summary>This node's name in entries and commands.</summary>
    string Node { get; }

    /// <summary>Adds the entry unless the user already has one (then false: another call of theirs stands).</summary>
    Task<bool> TryAddAsync(VoiceEntry entry, TimeSpan lease);

    /// <summary>Replaces the user's entry with this one if it is still held by the same connection.</summary>
    Task<bool> UpdateAsync(VoiceEntry entry);

    /// <summary>
    /// Removes the user's entry if held by <paramref name="connectionId"/> (and, with <paramref name="onlyExpired"/>,
    /// only if its lease has lapsed): the removed entry, or null when someone else got there first. Whoever removes
    /// an entry announces that the user left.
    /// </summary>
    Task<VoiceEntry?> RemoveAsync(Snowflake userId, string connectionId, bool onlyExpired = false);

    /// <summary>The user's entry, with its lease lapsed or not.</summary>
    Task<VoiceEntry?> GetAsync(Snowflake userId);

    /// <summary>The live voice states in these channels.</summary>
    Task<IReadOnlyList<VoiceState>> InChannelsAsync(IReadOnlyCollection<Snowflake> channelIds);

    /// <summary>Renews the leases of the calls this node holds; returns the users whose entry is no longer theirs.</summary>
    Task<IReadOnlyList<Snowflake>> RenewAsync(IReadOnlyCollection<(Snowflake UserId, string ConnectionId)> held, TimeSpan lease);

    /// <summary>Entries whose lease lapsed (their node died or lost Redis), for a surviving node to end.</summary>
    Task<IReadOnlyList<VoiceEntry>> ExpiredAsync();

    /// <summary>Lets the user join <paramref name="channelId"/> past its user limit for a while (a moderator moved them).</summary>
    Task GrantMoveAsync(Snowflake userId, Snowflake channelId, TimeSpan lifetime);

    /// <summary>Uses up the user's move ticket: true when it was for <paramref name="channelId"/> and still valid.</summary>
    Task<bool> TakeMoveAsync(Snowflake userId, Snowflake channelId);

    /// <summary>Sends a command to the node holding a call.</summary>
    Task SendAsync(string target, VoiceCommand command);

    /// <summary>Starts delivering the commands sent to this node.</summary>
    Task ListenAsync(Func<VoiceCommand, Task> handler);
}

/// <summary>One node: every call is held here, so the entries are this node's memory.</summary>
public sealed class LocalVoiceStates(TimeProvider time) : IVoiceStates
{
    private readonly ConcurrentDictionary<Snowflake, VoiceEntry> _entries = new();
    private readonly ConcurrentDictionary<Snowflake, (Snowflake ChannelId, DateTimeOffset Until)> _moves = new();
    private Func<VoiceCommand, Task>? _handler;

    public string Node => "local";

    public Task<bool> TryAddAsync(VoiceEntry entry, TimeSpan lease) => Task.FromResult(_entries.TryAdd(entry.UserId, entry));

    public Task<bool> UpdateAsync(VoiceEntry entry) =>
        Task.FromResult(_entries.TryGetValue(entry.UserId, out var current) && current.ConnectionId == entry.ConnectionId
            && _entries.TryUpdate(entry.UserId, entry, current));

    public Task<VoiceEntry?> RemoveAsync(Snowflake userId, string connectionId, bool onlyExpired = false) =>
        Task.FromResult(!onlyExpired && _entries.TryGetValue(userId, out var current) && current.ConnectionId == connectionId
            && _entries.TryRemove(new KeyValuePair<Snowflake, VoiceEntry>(userId, current)) ? current : null);

    public Task<VoiceEntry?> GetAsync(Snowflake userId) => Task.FromResult(_entries.GetValueOrDefault(userId));

    public Task<IReadOnlyList<VoiceState>> InChannelsAsync(IReadOnlyCollection<Snowflake> channelIds) =>
        Task.FromResult<IReadOnlyList<VoiceState>>(_entries.Values.Where(e => channelIds.Contains(e.ChannelId)).Select(e => e.State).ToList());

    public Task<IReadOnlyList<Snowflake>> RenewAsync(IReadOnlyCollection<(Snowflake UserId, string ConnectionId)> held, TimeSpan lease) =>
        Task.FromResult<IReadOnlyList<Snowflake>>(held
            .Where(h => !(_entries.TryGetValue(h.UserId, out var e) && e.ConnectionId == h.ConnectionId))
            .Select(h => h.UserId)
            .ToList());

    public Task<IReadOnlyList<VoiceEntry>> ExpiredAsync() => Task.FromResult<IReadOnlyList<VoiceEntry>>([]);

    public Task GrantMoveAsync(Snowflake userId, Snowflake channelId, TimeSpan lifetime)
    {
        _moves[userId] = (channelId, time.GetUtcNow() + lifetime);
        return Task.CompletedTask;
    }

    public Task<bool> TakeMoveAsync(Snowflake userId, Snowflake channelId) =>
        Task.FromResult(_moves.TryRemove(userId, out var ticket) && ticket.ChannelId == channelId && ticket.Until > time.GetUtcNow());

    public Task SendAsync(string target, VoiceCommand command) => _handler?.Invoke(command) ?? Task.CompletedTask;

    public Task ListenAsync(Func<VoiceCommand, Task> handler)
    {
        _handler = handler;
        return Task.CompletedTask;
    }
}
