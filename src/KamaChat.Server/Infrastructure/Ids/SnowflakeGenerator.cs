namespace KamaChat.Server.Infrastructure.Ids;

/// <summary>
/// Issues 64-bit IDs that sort by creation time: milliseconds since 2025-01-01 (42 bits),
/// the node's <c>NODE_ID</c> (10 bits) and a per-millisecond sequence (12 bits).
/// </summary>
public sealed class SnowflakeGenerator
{
    public static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public const int MaxNodeId = (1 << NodeBits) - 1;

    private const int NodeBits = 10;
    private const int SequenceBits = 12;
    private const long SequenceMask = (1L << SequenceBits) - 1;

    private readonly TimeProvider _time;
    private readonly long _node;
    private readonly Lock _gate = new();
    private long _lastMilliseconds = -1;
    private long _sequence;

    public SnowflakeGenerator(int nodeId, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nodeId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nodeId, MaxNodeId);
        _node = nodeId;
        _time = time;
    }

    public Snowflake NextId()
    {
        lock (_gate)
            return new Snowflake(Issue((long)(_time.GetUtcNow() - Epoch).TotalMilliseconds));
    }

    /// <summary>
    /// An id greater than <paramref name="floor"/> as well as than every id issued here before: for ids that must follow
    /// commit order while nodes' clocks disagree. When the floor comes from a clock ahead of ours, this generator moves
    /// on to the floor's time and keeps counting from there, so its ids stay unique and increasing.
    /// </summary>
    public Snowflake NextIdAbove(Snowflake floor)
    {
        lock (_gate)
        {
            var floorMilliseconds = floor.Value >> (NodeBits + SequenceBits);
            var id = Issue(Math.Max((long)(_time.GetUtcNow() - Epoch).TotalMilliseconds, floorMilliseconds));
            // Same millisecond as the floor but a lower node or sequence: the next millisecond is above it.
            return new Snowflake(id > floor.Value ? id : Issue(floorMilliseconds + 1));
        }
    }

    /// <summary>The id for <paramref name="now"/>; called under the lock.</summary>
    private long Issue(long now)
    {
        // A clock that steps back (NTP correction, VM resume) must never yield a smaller ID,
        // so we keep counting from the last timestamp we issued until the clock catches up.
        if (now < _lastMilliseconds)
            now = _lastMilliseconds;

        if (now == _lastMilliseconds)
        {
            _sequence = (_sequence + 1) & SequenceMask;
            // 4096 IDs in one millisecond: borrow the next millisecond instead of spinning,
            // which keeps IDs unique and ordered without blocking the caller.
            if (_sequence == 0)
                now = _lastMilliseconds + 1;
        }
        else
        {
            _sequence = 0;
        }

        _lastMilliseconds = now;
        return (now << (NodeBits + SequenceBits)) | (_node << SequenceBits) | _sequence;
    }

    public static DateTimeOffset TimestampOf(Snowflake id) => Epoch.AddMilliseconds(id.Value >> (NodeBits + SequenceBits));

    public static int NodeOf(Snowflake id) => (int)((id.Value >> SequenceBits) & MaxNodeId);

    /// <summary>
    /// The smallest ID that could have been issued at <paramref name="time"/>: a cursor for time filters. Times outside
    /// the IDs' range (before the epoch, after the year 2094) clamp to its ends instead of overflowing into nonsense.
    /// </summary>
    public static Snowflake MinimumIdAt(DateTimeOffset time) =>
        new(Math.Clamp((long)(time - Epoch).TotalMilliseconds, 0, long.MaxValue >> (NodeBits + SequenceBits)) << (NodeBits + SequenceBits));
}
