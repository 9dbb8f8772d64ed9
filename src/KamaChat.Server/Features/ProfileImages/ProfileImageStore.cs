using System.Security.Cryptography;
using System.Text.RegularExpressions;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Infrastructure.Http;
using KamaChat.Server.Infrastructure.Media;
using KamaChat.Server.Infrastructure.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.ProfileImages;

/// <summary>
/// Whose picture: a user's avatar or banner, a server's icon or banner, a group DM's icon. The folder names the storage
/// prefix and the public URL; a banner is a 5:2 crop whose URL names its 600 px wide rendition, the others are squares.
/// </summary>
public sealed record ProfileImageKind(string Folder, bool Banner = false)
{
    public static readonly ProfileImageKind Avatar = new("avatars");
    public static readonly ProfileImageKind ServerIcon = new("icons");
    public static readonly ProfileImageKind GroupIcon = new("group-icons");
    public static readonly ProfileImageKind UserBanner = new("banners", Banner: true);
    public static readonly ProfileImageKind ServerBanner = new("server-banners", Banner: true);

    public static readonly IReadOnlyList<ProfileImageKind> All = [Avatar, ServerIcon, GroupIcon, UserBanner, ServerBanner];

    /// <summary>The rendition a profile's URL names; the others sit next to it as <c>{width}.webp</c>.</summary>
    public int DefaultWidth => Banner ? 600 : 128;
}

/// <summary>An uploaded picture stored (<see cref="Url"/>, to save on the user or server), or why it was refused.</summary>
public sealed record ProfileImageOutcome(string? Url, ProblemHttpResult? Problem);

/// <summary>
/// Avatars, server icons and banners through the attachment pipeline, synchronously (they are small and the uploader
/// waits to see them): the body streams to a temp file within the limit, the type is sniffed from the bytes and must be
/// an image, libvips crops the square or 5:2 banner (the client's crop or the centre one), scales it to 64, 128 and
/// 512 px squares or 600 and 1200 px wide banners, WebP without metadata (animated stays animated), and the renditions go to storage under a fresh random folder. A picture's URL
/// never changes its bytes, so it is cached for good; replacing the picture makes a new URL and deletes the old files.
/// </summary>
public sealed partial class ProfileImageStore(IMediaStorage storage, ImageProcessor images, IOptions<UploadOptions> uploads,
    ILogger<ProfileImageStore> logger)
{
    /// <summary>Where the renditions are served, without sign-in (see <see cref="ProfileImageEndpoints"/> for why).</summary>
    public const string BasePath = "/media/public/";

    /// <summary>Pictures are never larger than this, even when attachments may be.</summary>
    public const long MaxBytes = 10 * 1024 * 1024;

    public long MaxFileBytes => Math.Min(MaxBytes, uploads.Value.MaxFileBytes);

    public async Task<ProfileImageOutcome> StoreAsync(ProfileImageKind kind, Snowflake ownerId, HttpRequest request, PictureCrop? crop,
        CancellationToken cancellationToken)
    {
        var limit = MaxFileBytes;
        if (request.ContentLength > limit)
            return Refused(TooLarge(limit));
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
            bodyLimit.MaxRequestBodySize = limit;

        var work = Directory.CreateTempSubdirectory("kamachat-picture-").FullName;
        try
        {
            var upload = Path.Combine(work, "upload");
            try
            {
                await using var body = new UploadBodyStream(request.Body, limit);
                await using var file = File.Create(upload);
                await body.CopyToAsync(file, cancellationToken);
            }
            catch (Exception e) when (e is UploadTooLargeException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
            {
                return Refused(TooLarge(limit));
            }
            if (new FileInfo(upload).Length == 0)
                return Refused(Problems.Of(StatusCodes.Status400BadRequest, "empty_file", "The file is empty."));

            var type = await MediaSniffer.SniffFileAsync(upload, cancellationToken);
            if (type.Kind != MediaKind.Image)
                return Refused(Problems.Of(StatusCodes.Status400BadRequest, "not_an_image", "Pictures must be JPEG, PNG, GIF, WebP, AVIF or HEIC images."));

            var output = Directory.CreateDirectory(Path.Combine(work, "out")).FullName;
            IReadOnlyList<Rendition> renditions;
            try
            {
                renditions = await Task.Run(() => kind.Banner ? images.Banner(upload, type, output, crop) : images.Avatar(upload, type, output, crop), cancellationToken);
            }
            catch (MediaProcessingException e)
            {
                logger.LogInformation("A {Kind} upload for {OwnerId} was refused: {Code} {Reason}", kind.Folder, ownerId, e.Code, e.Message);
                return Refused(Problems.Of(StatusCodes.Status400BadRequest, e.Code == MediaProcessingException.Undecodable ? "not_an_image" : e.Code, e.Message));
            }

            var prefix = $"{kind.Folder}/{ownerId}/{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}/";
            try
            {
                foreach (var rendition in renditions)
                {
                    await using var file = File.OpenRead(rendition.Path);
                    await storage.PutAsync($"{prefix}{rendition.Width}.webp", file, file.Length, rendition.ContentType, cancellationToken);
                }
            }
            catch
            {
                await storage.DeletePrefixAsync(prefix, CancellationToken.None); // nothing half-stored
                throw;
            }
            return new ProfileImageOutcome($"{BasePath}{prefix}{kind.DefaultWidth}.webp", null);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The storage prefix holding the renditions behind <paramref name="url"/>, or null when it is not one of ours (an https link, none).</summary>
    public static string? PrefixOf(string? url)
    {
        if (url is null || !url.StartsWith(BasePath, StringComparison.Ordinal))
            return null;
        var match = OwnUrl().Match(url[BasePath.Length..]);
        return match.Success && ProfileImageKind.All.Any(k => k.Folder == match.Groups["folder"].Value) ? match.Groups["prefix"].Value : null;
    }

    private static ProfileImageOutcome Refused(ProblemHttpResult problem) => new(null, problem);

    private static ProblemHttpResult TooLarge(long limit) => Problems.Of(StatusCodes.Status413PayloadTooLarge, "payload_too_large",
        $"Pictures can be at most {limit / (1024 * 1024)} MiB.", new Dictionary<string, object?> { ["maxBytes"] = limit });

    [GeneratedRegex("^(?<prefix>(?<folder>[a-z][a-z-]*)/[0-9]{1,20}/[0-9a-f]{32}/)[0-9]{1,4}\\.webp$", RegexOptions.CultureInvariant)]
    private static partial Regex OwnUrl();
}
