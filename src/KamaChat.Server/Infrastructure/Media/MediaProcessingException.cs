namespace KamaChat.Server.Infrastructure.Media;

/// <summary>
/// The file cannot be processed, for a reason retrying will not change: the attachment becomes "failed" with
/// <see cref="Code"/> (too_many_pixels, undecodable, timed_out, unsupported ...) and the queue moves on.
/// </summary>
public sealed class MediaProcessingException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;

    public const string TooManyPixels = "too_many_pixels";
    public const string Undecodable = "undecodable";
    public const string TimedOut = "timed_out";
    public const string TooLong = "too_long";
    public const string BadCrop = "bad_crop";
}
