using KamaChat.Server.Features.Events;

namespace KamaChat.Server.Features.Auth;

/// <summary>One of your sessions was signed out: the gateway closes that session's connections once it is delivered.</summary>
public sealed record SessionRevoked(Snowflake UserId, Snowflake SessionId, string Reason) : IUserEvent<SessionRevokedData>, IEndsSession<SessionRevokedData>
{
    public static string Type => "SessionRevoked";

    public SessionRevokedData Data => new(SessionId, Reason);

    public static Snowflake EndedSessionId(SessionRevokedData data) => data.SessionId;
}

public sealed record SessionRevokedData(Snowflake SessionId, string Reason);
