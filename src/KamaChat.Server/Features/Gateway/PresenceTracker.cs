using System.Collections.Concurrent;

namespace KamaChat.Server.Features.Gateway;

public static class PresenceStatus
{
    public const string Online = "online";
    public const string Idle = "idle";
    public const string DoNotDisturb = "dnd";
    public const string Invisible = "invisible";
    public const string Offline = "offline";

    public static bool IsSettable(string status) => status is Online or Idle or DoNotDisturb or Invisible;

    /// <summary>What others see: invisible looks offline.</summary>
    public static string Visible(string status) => status == Invisible ? Offline : status;
}

/// <summary>
/// Who is connected and with what status, aggregated over a user's connections: online while any connection is
/// open (with the status the user chose), offline once the last one has been gone for a short grace period
/// (a page reload or network blip should not flash "offline" to everyone).
/// </summary>
public sealed class PresenceTracker(TimeProvider time)
{
    public static readonly TimeSpan OfflineGrace = TimeSpan.FromSeconds(5);

    private sealed class UserPresence
    {
        public int Connections;
        public string Chosen = PresenceStatus.Online;
        public long Generation;
    }

    private readonly ConcurrentDictionary<long, UserPresence> _users = new();

    /// <returns>The status to announce when this is the user's first connection, else null.</returns>
    public string? Connected(long userId)
    {
        var presence = _users.GetOrAdd(userId, _ => new UserPresence());
        lock (presence)
        {
            presence.Generation++;
            return ++presence.Connections == 1 ? PresenceStatus.Visible(presence.Chosen) : null;
        }
    }

    /// <summary>Call when a connection closes; the callback runs after the grace period if the user is still gone.</summary>
    public void Disconnected(long userId, Func<Task> wentOffline)
    {
        if (!_users.TryGetValue(userId, out var presence))
            return;
        long generation;
        lock (presence)
        {
            if (--presence.Connections > 0)
                return;
            generation = ++presence.Generation;
        }
        _ = Task.Run(async () =>
        {
            await Task.Delay(OfflineGrace, time);
            lock (presence)
            {
                if (presence.Connections > 0 || presence.Generation != generation)
                    return;
            }
            await wentOffline();
        });
    }

    /// <returns>The status others now see.</returns>
    public string Set(long userId, string status)
    {
        var presence = _users.GetOrAdd(userId, _ => new UserPresence());
        lock (presence)
        {
            presence.Chosen = status;
            return presence.Connections > 0 ? PresenceStatus.Visible(status) : PresenceStatus.Offline;
        }
    }

    public string StatusOf(long userId) =>
        _users.TryGetValue(userId, out var presence) && presence.Connections > 0 ? PresenceStatus.Visible(presence.Chosen) : PresenceStatus.Offline;

    public IEnumerable<long> OnlineUsers => _users.Where(u => u.Value.Connections > 0).Select(u => u.Key);
}

/// <summary>One typing signal per user per channel per 5 s; clients show it for 8 s or until that user's message arrives.</summary>
public sealed class TypingThrottle(TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(8);

    private readonly ConcurrentDictionary<(long User, long Channel), DateTimeOffset> _last = new();

    public bool TryStart(long userId, long channelId, out DateTimeOffset expiresAt)
    {
        var now = time.GetUtcNow();
        expiresAt = now + Expiry;
        var key = (userId, channelId);
        while (true)
        {
            if (_last.TryGetValue(key, out var last))
            {
                if (now - last < Interval)
                    return false;
                if (_last.TryUpdate(key, now, last))
                    break;
            }
            else if (_last.TryAdd(key, now))
            {
                break;
            }
        }
        if (_last.Count > 100_000)
            foreach (var stale in _last.Where(e => now - e.Value > Expiry).Select(e => e.Key).ToList())
                _last.TryRemove(stale, out _);
        return true;
    }
}
