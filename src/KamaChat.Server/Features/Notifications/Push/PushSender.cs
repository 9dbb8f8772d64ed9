using System.Net;
using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Server.Infrastructure.Jobs;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Notifications.Push;

public enum PushOutcome
{
    Delivered,

    /// <summary>The push service no longer knows the subscription (404/410): it is removed.</summary>
    Gone,

    /// <summary>Anything else (a 5xx, a timeout): logged; the subscription stays for the next message.</summary>
    Failed,
}

/// <summary>Encrypts (RFC 8291, aes128gcm) and posts one message to one subscription with VAPID (RFC 8292), through Lib.Net.Http.WebPush.</summary>
public sealed class PushSender(HttpClient http, IOptions<PushOptions> options, ILogger<PushSender> logger) : IDisposable
{
    /// <summary>A notification nobody saw within a day is stale.</summary>
    private static readonly int TimeToLiveSeconds = (int)TimeSpan.FromDays(1).TotalSeconds;

    private readonly PushServiceClient _client = new(http);

    private readonly VapidAuthentication _vapid = new(options.Value.PublicKey, options.Value.PrivateKey) { Subject = options.Value.Subject };

    /// <param name="topic">Replaces an undelivered earlier push with the same topic (one per conversation).</param>
    public async Task<PushOutcome> SendAsync(WebPushSubscription subscription, string json, string topic, CancellationToken cancellationToken)
    {
        var target = new PushSubscription { Endpoint = subscription.Endpoint };
        target.SetKey(PushEncryptionKeyName.P256DH, subscription.P256dh);
        target.SetKey(PushEncryptionKeyName.Auth, subscription.Auth);
        var message = new PushMessage(json) { TimeToLive = TimeToLiveSeconds, Urgency = PushMessageUrgency.High, Topic = topic };
        try
        {
            await _client.RequestPushMessageDeliveryAsync(target, message, _vapid, VapidAuthenticationScheme.Vapid, cancellationToken);
            return PushOutcome.Delivered;
        }
        catch (PushServiceClientException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            return PushOutcome.Gone;
        }
        catch (Exception e) when (e is PushServiceClientException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Web Push to {Host} failed", new Uri(subscription.Endpoint).Host);
            return PushOutcome.Failed;
        }
    }

    public void Dispose() => _vapid.Dispose();
}

public static class PushExtensions
{
    public static IHostApplicationBuilder AddPush(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PushOptions>()
            .Configure<IConfiguration, IOptions<ServerOptions>>((o, c, s) => PushOptions.Bind(o, c, s.Value))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PushOptions>, PushOptionsValidator>();
        builder.Services.AddHttpClient<PushSender>(http => http.Timeout = TimeSpan.FromSeconds(30));
        builder.Services.AddJobHandler<PushMessageJob, PushMessageJobHandler>();
        return builder;
    }
}
