using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KamaChat.Server.Features.Messages;

/// <summary>The problems the message, reaction and pin endpoints share.</summary>
internal static class MessagingProblems
{
    public static ProblemHttpResult ChannelNotFound() => Problems.NotFound("The channel");

    public static ProblemHttpResult MessageNotFound() => Problems.NotFound("The message");

    public static ProblemHttpResult Missing(string permission) =>
        Problems.Forbidden("missing_permission", $"You need the {permission} permission in this channel.");

    public static ProblemHttpResult NotTextChannel() =>
        Problems.Of(StatusCodes.Status400BadRequest, "not_text_channel", "This channel does not hold messages.");

    /// <summary>
    /// Whether the caller may read this channel's messages: null when they may, else the problem to answer.
    /// Not seeing the channel is 404, seeing it without READ_MESSAGE_HISTORY is 403.
    /// </summary>
    public static ProblemHttpResult? CannotRead(ChannelAccess? access)
    {
        if (access is null)
            return ChannelNotFound();
        if (access.Channel.Type == ChannelType.Category)
            return NotTextChannel();
        return access.Has(Permissions.Permissions.ReadMessageHistory) ? null : Missing("READ_MESSAGE_HISTORY");
    }
}
