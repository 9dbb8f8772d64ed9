using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace KamaChat.Server.Infrastructure.Janus;

/// <summary>How a room is made: it caps publishers and video bitrate, and forces the codecs browsers all have.</summary>
public sealed record VideoRoomSettings(string Description, int MaxPublishers = 50, int VideoBitrate = 1_000_000);

/// <summary>Someone in a room, as Janus lists them (publishing: their media is flowing to Janus).</summary>
public sealed record VideoRoomParticipant(long Id, string? Display, bool Publishing, bool Talking);

/// <summary>
/// Janus VideoRoom rooms for voice channels and group calls, administered by the server. A room is made on demand
/// with a secret and a PIN only the server knows (<see cref="VideoRoomSecrets"/>), an empty token list (so joining
/// as a publisher takes a token the server adds for that one join), and <c>require_pvtid</c> (so subscribing takes
/// the private id of a participant the server joined). The server joins participants itself and relays their SDP
/// (<see cref="VideoRoomPublisher"/>, <see cref="VideoRoomSubscriber"/>): clients never hold a Janus secret.
/// With several Janus instances, everything about a room goes to the one instance it lives on (<see cref="JanusPlacement"/>).
/// </summary>
public sealed class VideoRooms(JanusConnections janus, VideoRoomSecrets secrets)
{
    /// <summary>Makes the room unless it exists (another node may have just made it); true when this call made it.</summary>
    public async Task<bool> EnsureRoomAsync(long roomId, VideoRoomSettings settings, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["request"] = "create",
            ["room"] = roomId,
            ["description"] = settings.Description,
            ["secret"] = secrets.Secret(roomId),
            ["pin"] = secrets.Pin(roomId),
            ["is_private"] = true,
            ["allowed"] = new JsonArray(),
            ["require_pvtid"] = true,
            ["publishers"] = settings.MaxPublishers,
            ["bitrate"] = settings.VideoBitrate,
            ["bitrate_cap"] = true,
            ["fir_freq"] = 10,
            ["audiocodec"] = "opus",
            ["videocodec"] = "vp8,h264,vp9",
            ["audiolevel_event"] = true,
            ["permanent"] = false,
        };
        if (janus.ForRoom(roomId).Endpoint?.AdminKey is { } adminKey)
            body["admin_key"] = adminKey;
        try
        {
            await ControlAsync(roomId, body, cancellationToken);
            return true;
        }
        catch (JanusException e) when (e.Code == JanusException.RoomExists)
        {
            return false;
        }
    }

    public async Task<bool> ExistsAsync(long roomId, CancellationToken cancellationToken) =>
        (await ControlAsync(roomId, new JsonObject { ["request"] = "exists", ["room"] = roomId }, cancellationToken))["exists"]?.GetValue<bool>() == true;

    /// <summary>Destroys the room, which ends everyone's media in it; false when there was no such room.</summary>
    public async Task<bool> DestroyAsync(long roomId, CancellationToken cancellationToken)
    {
        try
        {
            await ControlAsync(roomId, new JsonObject { ["request"] = "destroy", ["room"] = roomId, ["secret"] = secrets.Secret(roomId) }, cancellationToken);
            return true;
        }
        catch (JanusException e) when (e.Code == JanusException.NoSuchRoom)
        {
            return false;
        }
    }

    /// <summary>Lets a join with this token in (the token list is checked only when a publisher joins).</summary>
    public Task AllowAsync(long roomId, string token, CancellationToken cancellationToken) =>
        ControlAsync(roomId, new JsonObject
        {
            ["request"] = "allowed", ["room"] = roomId, ["secret"] = secrets.Secret(roomId), ["action"] = "add", ["allowed"] = new JsonArray(token),
        }, cancellationToken);

    public Task RevokeAsync(long roomId, string token, CancellationToken cancellationToken) =>
        ControlAsync(roomId, new JsonObject
        {
            ["request"] = "allowed", ["room"] = roomId, ["secret"] = secrets.Secret(roomId), ["action"] = "remove", ["allowed"] = new JsonArray(token),
        }, cancellationToken);

    /// <summary>
    /// Removes a participant: Janus closes their publisher PeerConnection and, as the room requires private ids,
    /// stops sending to their subscriptions. False when they were not in the room.
    /// </summary>
    public async Task<bool> KickAsync(long roomId, long participantId, CancellationToken cancellationToken)
    {
        try
        {
            await ControlAsync(roomId, new JsonObject { ["request"] = "kick", ["room"] = roomId, ["secret"] = secrets.Secret(roomId), ["id"] = participantId }, cancellationToken);
            return true;
        }
        catch (JanusException e) when (e.Code == JanusException.NoSuchFeed)
        {
            return false;
        }
    }

    /// <summary>Stops (or lets through again) one of a publisher's streams at Janus, whatever the client sends.</summary>
    public Task ModerateAsync(long roomId, long participantId, string mid, bool muted, CancellationToken cancellationToken) =>
        ControlAsync(roomId, new JsonObject
        {
            ["request"] = "moderate", ["room"] = roomId, ["secret"] = secrets.Secret(roomId), ["id"] = participantId, ["mid"] = mid, ["mute"] = muted,
        }, cancellationToken);

    public async Task<IReadOnlyList<VideoRoomParticipant>> ListParticipantsAsync(long roomId, CancellationToken cancellationToken)
    {
        var data = await ControlAsync(roomId, new JsonObject { ["request"] = "listparticipants", ["room"] = roomId }, cancellationToken);
        return (data["participants"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(p => new VideoRoomParticipant(
                p["id"]!.GetValue<long>(),
                p["display"]?.GetValue<string>(),
                p["publisher"]?.GetValue<bool>() == true,
                p["talking"]?.GetValue<bool>() == true))
            .ToList();
    }

    /// <summary>
    /// Joins a participant as a publisher on a client's behalf, with a single-use token (added for this join, removed
    /// right after: Janus checks tokens only when joining). <paramref name="participantId"/> is unique in the room
    /// (Janus refuses a second join with 436). The participant may publish only <paramref name="allowed"/> media.
    /// </summary>
    public async Task<VideoRoomPublisher> JoinAsync(long roomId, long participantId, string display, MediaKinds allowed, CancellationToken cancellationToken)
    {
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        await AllowAsync(roomId, token, cancellationToken);
        var session = await janus.ForRoom(roomId).SessionAsync(cancellationToken);
        var handle = await session.AttachAsync(JanusConnection.VideoRoomPlugin, cancellationToken);
        try
        {
            var joined = await handle.MessageAsync(new JsonObject
            {
                ["request"] = "join",
                ["ptype"] = "publisher",
                ["room"] = roomId,
                ["id"] = participantId,
                ["display"] = display,
                ["pin"] = secrets.Pin(roomId),
                ["token"] = token,
            }, null, cancellationToken);
            return new VideoRoomPublisher(this, handle, roomId, participantId, joined.Data["private_id"]!.GetValue<long>(), allowed);
        }
        catch
        {
            await handle.DisposeAsync();
            throw;
        }
        finally
        {
            try
            {
                await RevokeAsync(roomId, token, CancellationToken.None);
            }
            catch (Exception e) when (e is JanusException or HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
            {
                // Janus went away mid-join: the token dies with the room (or with Janus); the join's own outcome stands.
            }
        }
    }

    /// <summary>
    /// Subscribes to publishers' streams for the participant whose private id is given (Janus refuses a
    /// subscription without one). The subscriber's <see cref="VideoRoomSubscriber.Offer"/> goes to the client,
    /// whose answer goes to <see cref="VideoRoomSubscriber.StartAsync"/>.
    /// </summary>
    public async Task<VideoRoomSubscriber> SubscribeAsync(long roomId, long privateId, IReadOnlyList<VideoRoomFeed> feeds, CancellationToken cancellationToken)
    {
        var session = await janus.ForRoom(roomId).SessionAsync(cancellationToken);
        var handle = await session.AttachAsync(JanusConnection.VideoRoomPlugin, cancellationToken);
        try
        {
            var attached = await handle.MessageAsync(new JsonObject
            {
                ["request"] = "join",
                ["ptype"] = "subscriber",
                ["room"] = roomId,
                ["pin"] = secrets.Pin(roomId),
                ["private_id"] = privateId,
                ["streams"] = VideoRoomSubscriber.FeedList(feeds),
            }, null, cancellationToken);
            return new VideoRoomSubscriber(handle, roomId, attached.Jsep ?? throw new JanusException(0, "Janus sent no offer for the subscription"), attached.Data);
        }
        catch
        {
            await handle.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A synchronous request about the room on the control handle of the room's instance, tried once more on a new
    /// session if Janus forgot the old one.
    /// </summary>
    private async Task<JsonObject> ControlAsync(long roomId, JsonObject body, CancellationToken cancellationToken)
    {
        var connection = janus.ForRoom(roomId);
        try
        {
            return await (await connection.ControlHandleAsync(cancellationToken)).RequestAsync(body, cancellationToken);
        }
        catch (JanusException e) when (e.Code is JanusException.SessionNotFound or JanusException.HandleNotFound)
        {
            return await (await connection.ControlHandleAsync(cancellationToken)).RequestAsync((JsonObject)body.DeepClone(), cancellationToken);
        }
    }
}
