using System.Globalization;
using KamaChat.Server.Features.Events;

namespace KamaChat.Server.Features.Auth;

/// <summary>One of your sessions was signed out: the gateway closes that session's connections once it is delivered.</summary>
public sealed record SessionRevoked(long UserId, long SessionId, string Reason) : IUserEvent<SessionRevokedData>, IEndsSession<SessionRevokedData>
{
    public static string Type => "SessionRevoked";

    public SessionRevokedData Data => new(SessionId.ToString(CultureInfo.InvariantCulture), Reason);

    public static long EndedSessionId(SessionRevokedData data) => long.Parse(data.SessionId, CultureInfo.InvariantCulture);
}

public sealed record SessionRevokedData(string SessionId, string Reason);
