using System.Globalization;

namespace KamaChat.Server.Infrastructure.Storage;

/// <summary>
/// A byte range as HTTP has it (RFC 9110 §14.1.2), inclusive: <c>From-To</c>, <c>From-</c> (to the end) or the last
/// <see cref="SuffixLength"/> bytes.
/// </summary>
public readonly record struct ByteRange
{
    private ByteRange(long? from, long? to, long? suffixLength)
    {
        From = from;
        To = to;
        SuffixLength = suffixLength;
    }

    public long? From { get; }

    public long? To { get; }

    public long? SuffixLength { get; }

    public static ByteRange Between(long from, long to) =>
        from < 0 || to < from ? throw new ArgumentOutOfRangeException(nameof(to), "A range needs 0 <= from <= to.") : new(from, to, null);

    public static ByteRange StartingAt(long from) =>
        from < 0 ? throw new ArgumentOutOfRangeException(nameof(from)) : new(from, null, null);

    public static ByteRange Last(long length) =>
        length <= 0 ? throw new ArgumentOutOfRangeException(nameof(length)) : new(null, null, length);

    /// <summary>The absolute, inclusive offsets within an object of <paramref name="totalLength"/> bytes.</summary>
    /// <exception cref="StorageRangeNotSatisfiableException">Nothing of the object falls in the range.</exception>
    public (long First, long Last) Resolve(long totalLength)
    {
        if (SuffixLength is { } suffix)
            return totalLength == 0 ? throw new StorageRangeNotSatisfiableException(totalLength) : (Math.Max(0, totalLength - suffix), totalLength - 1);
        if (From >= totalLength)
            throw new StorageRangeNotSatisfiableException(totalLength);
        return (From!.Value, Math.Min(To ?? long.MaxValue, totalLength - 1));
    }

    /// <summary>The Range header value, e.g. <c>bytes=0-99</c>.</summary>
    public string ToHeaderValue() => SuffixLength is { } suffix
        ? string.Create(CultureInfo.InvariantCulture, $"bytes=-{suffix}")
        : string.Create(CultureInfo.InvariantCulture, $"bytes={From}-{To}");

    public override string ToString() => ToHeaderValue();
}
