using System.Text.Json.Nodes;

namespace KamaChat.Server.Infrastructure.Janus;

/// <summary>Where a Janus HTTP API is, and the secrets that open it (see <see cref="JanusOptions"/>).</summary>
public sealed record JanusEndpoint(Uri ApiUrl, string? ApiSecret, string? AdminKey);

/// <summary>An SDP offer or answer as browsers and Janus exchange it.</summary>
public sealed record Jsep(string Type, string Sdp)
{
    public static Jsep Offer(string sdp) => new("offer", sdp);

    public static Jsep Answer(string sdp) => new("answer", sdp);

    internal JsonObject ToJson() => new() { ["type"] = Type, ["sdp"] = Sdp };

    internal static Jsep? From(JsonNode? node) =>
        node is JsonObject o && o["type"]?.GetValue<string>() is { } type && o["sdp"]?.GetValue<string>() is { } sdp ? new Jsep(type, sdp) : null;
}

/// <summary>An ICE candidate a browser gathered (RTCIceCandidate's fields), relayed to Janus.</summary>
public sealed record IceCandidate(string Candidate, string? SdpMid, int? SdpMLineIndex);

/// <summary>A plugin's answer to a request: its data, and the SDP it produced if any.</summary>
public sealed record JanusReply(JsonObject Data, Jsep? Jsep);

/// <summary>
/// Something Janus pushed for a handle outside a request's answer: a plugin event (<see cref="Kind"/> "event",
/// e.g. VideoRoom's new publishers, moderation, "leaving" with reason "kicked") or a core event ("webrtcup",
/// "media", "hangup", "slowlink", "detached").
/// </summary>
public sealed record JanusEvent(string Kind, JsonObject? Data, Jsep? Jsep, JsonObject Message);

/// <summary>
/// An error Janus answered with: the core's (403 wrong api secret, 458 no such session, ...) or a plugin's
/// (VideoRoom: 426 no such room, 427 room exists, 428 no such participant, 433 unauthorized, 436 id taken, ...).
/// </summary>
public sealed class JanusException(int code, string reason) : Exception($"Janus error {code}: {reason}")
{
    public const int Unauthorized = 403;
    public const int SessionNotFound = 458;
    public const int HandleNotFound = 459;
    public const int NoSuchRoom = 426;
    public const int RoomExists = 427;
    public const int NoSuchFeed = 428;
    public const int RoomUnauthorized = 433;
    public const int IdExists = 436;

    public int Code { get; } = code;

    public string Reason { get; } = reason;

    /// <summary>The plugin's data from an answer, or the plugin's error as an exception.</summary>
    internal static JsonObject PluginData(JsonObject reply)
    {
        var data = reply["plugindata"]?["data"] as JsonObject
            ?? throw new JanusException(0, $"an answer without plugin data: {reply.ToJsonString()}");
        if (data["error_code"] is { } code)
            throw new JanusException(code.GetValue<int>(), data["error"]?.GetValue<string>() ?? "unknown error");
        return data;
    }

    /// <summary>Throws the core's error, if the answer is one.</summary>
    internal static void ThrowIfError(JsonObject reply)
    {
        if (reply["janus"]?.GetValue<string>() == "error")
            throw new JanusException(reply["error"]?["code"]?.GetValue<int>() ?? 0, reply["error"]?["reason"]?.GetValue<string>() ?? "unknown error");
    }
}
