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
        {
            var now = (long)(_time.GetUtcNow() - Epoch).TotalMilliseconds;

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
            return new Snowflake((now << (NodeBits + SequenceBits)) | (_node << SequenceBits) | _sequence);
        }
    }

    public static DateTimeOffset TimestampOf(Snowflake id) => Epoch.AddMilliseconds(id.Value >> (NodeBits + SequenceBits));

    public static int NodeOf(Snowflake id) => (int)((id.Value >> SequenceBits) & MaxNodeId);

    /// <summary>The smallest ID that could have been issued at <paramref name="time"/>: a cursor for time filters.</summary>
    public static Snowflake MinimumIdAt(DateTimeOffset time) =>
        new(Math.Max(0, (long)(time - Epoch).TotalMilliseconds) << (NodeBits + SequenceBits));
}
