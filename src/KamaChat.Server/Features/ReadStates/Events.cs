using KamaChat.Server.Features.Events;

namespace KamaChat.Server.Features.ReadStates;

/// <summary>You read a channel up to a message (on any device): other devices clear their unread badges.</summary>
public sealed record ReadStateUpdated(Snowflake UserId, ReadStateResponse Data) : IUserEvent<ReadStateResponse>
{
    public static string Type => "ReadStateUpdated";
}
