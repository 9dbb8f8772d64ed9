namespace KamaChat.Tests.Infrastructure;

/// <summary>The gateway's WebSocket address for a client that speaks the protocol by hand. (Linked into the bench too.)</summary>
public static class GatewayAddress
{
    /// <summary>The hub's ws:// address on the node at <paramref name="baseAddress"/>, with the access token in the query as browsers send it.</summary>
    public static Uri Of(Uri baseAddress, string accessToken) => new UriBuilder(baseAddress)
    {
        Scheme = "ws",
        Path = "hubs/gateway",
        Query = $"access_token={Uri.EscapeDataString(accessToken)}",
    }.Uri;
}
