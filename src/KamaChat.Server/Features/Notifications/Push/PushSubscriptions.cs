using System.Buffers.Text;
using System.ComponentModel.DataAnnotations;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Users;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Notifications.Push;

/// <summary>One browser's Web Push subscription (PushManager.subscribe): where to post, and the keys to encrypt for it.</summary>
public sealed class WebPushSubscription
{
    public Snowflake Id { get; set; }

    public Snowflake UserId { get; set; }

    /// <summary>The push service's URL for this browser; unique (a browser signed in as someone else moves it).</summary>
    public string Endpoint { get; set; } = "";

    /// <summary>The browser's P-256 public key (base64url), for RFC 8291 message encryption.</summary>
    public string P256dh { get; set; } = "";

    /// <summary>The browser's 16-byte authentication secret (base64url).</summary>
    public string Auth { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class WebPushSubscriptionConfiguration : IEntityTypeConfiguration<WebPushSubscription>
{
    public void Configure(EntityTypeBuilder<WebPushSubscription> subscription)
    {
        subscription.ToTable("push_subscriptions");
        subscription.HasKey(s => s.Id);
        subscription.Property(s => s.Endpoint).HasMaxLength(PushEndpoints.MaxEndpointLength);
        subscription.Property(s => s.P256dh).HasMaxLength(128);
        subscription.Property(s => s.Auth).HasMaxLength(64);
        subscription.HasIndex(s => s.Endpoint).IsUnique();
        subscription.HasIndex(s => s.UserId);
        subscription.HasOne<User>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed record VapidPublicKeyResponse(string PublicKey);

public sealed record PushSubscriptionKeys([property: Required, StringLength(128)] string P256dh, [property: Required, StringLength(64)] string Auth);

/// <summary>What PushSubscription.toJSON() gives.</summary>
public sealed record CreatePushSubscriptionRequest([property: Required, StringLength(PushEndpoints.MaxEndpointLength)] string Endpoint, [property: Required] PushSubscriptionKeys Keys);

public static class PushEndpoints
{
    public const int MaxEndpointLength = 2048;

    /// <summary>Browsers per user: the oldest subscription goes when a new one would pass this.</summary>
    public const int MaxSubscriptionsPerUser = 20;

    public static IEndpointRouteBuilder MapPush(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/push/vapid-public-key", (IOptions<PushOptions> options) => TypedResults.Ok(new VapidPublicKeyResponse(options.Value.PublicKey)))
            .WithTags("Notifications").AllowAnonymous();
        var subscriptions = app.MapGroup("/api/v1/users/@me/push-subscriptions").WithTags("Notifications").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        subscriptions.MapPost("", SubscribeAsync);
        subscriptions.MapDelete("", UnsubscribeAsync);
        return app;
    }

    private static async Task<Results<NoContent, ValidationProblem>> SubscribeAsync(
        CreatePushSubscriptionRequest request, CurrentUser user, KamaDbContext db, SnowflakeGenerator ids, TimeProvider time,
        IOptions<PushOptions> options, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(request.Endpoint, UriKind.Absolute, out var endpoint)
            || !(endpoint.Scheme == Uri.UriSchemeHttps || options.Value.AllowHttpEndpoints && endpoint.Scheme == Uri.UriSchemeHttp))
            return Problems.Validation("endpoint", "The push endpoint must be an https URL.");
        if (DecodedLength(request.Keys.P256dh) is not 65 || Base64Url.DecodeFromChars(request.Keys.P256dh)[0] != 0x04)
            return Problems.Validation("keys.p256dh", "p256dh must be an uncompressed P-256 public key, base64url.");
        if (DecodedLength(request.Keys.Auth) is not 16)
            return Problems.Validation("keys.auth", "auth must be 16 bytes, base64url.");

        var existing = await db.Set<WebPushSubscription>().SingleOrDefaultAsync(s => s.Endpoint == request.Endpoint, cancellationToken);
        if (existing is null)
        {
            db.Add(new WebPushSubscription
            {
                Id = ids.NextId(), UserId = user.Id, Endpoint = request.Endpoint, P256dh = request.Keys.P256dh, Auth = request.Keys.Auth,
                CreatedAt = time.GetUtcNow(),
            });
        }
        else
        {
            (existing.UserId, existing.P256dh, existing.Auth) = (user.Id, request.Keys.P256dh, request.Keys.Auth);
        }
        await db.SaveChangesAsync(cancellationToken);

        var surplus = await db.Set<WebPushSubscription>().Where(s => s.UserId == user.Id).OrderByDescending(s => s.Id)
            .Skip(MaxSubscriptionsPerUser).Select(s => s.Id).ToListAsync(cancellationToken);
        if (surplus.Count > 0)
            await db.Set<WebPushSubscription>().Where(s => surplus.Contains(s.Id)).ExecuteDeleteAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>This browser stops receiving pushes (signing out, or notifications turned off). Unknown endpoints are fine.</summary>
    private static async Task<NoContent> UnsubscribeAsync(string endpoint, CurrentUser user, KamaDbContext db, CancellationToken cancellationToken)
    {
        await db.Set<WebPushSubscription>().Where(s => s.UserId == user.Id && s.Endpoint == endpoint).ExecuteDeleteAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static int DecodedLength(string value)
    {
        try
        {
            return Base64Url.DecodeFromChars(value).Length;
        }
        catch (FormatException)
        {
            return -1;
        }
    }
}
