using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KamaChat.Server.Features.Messages;

/// <summary>The problems the message, reaction and pin endpoints share (channel access is the permission filter's).</summary>
internal static class MessagingProblems
{
    public static ProblemHttpResult MessageNotFound() => Problems.NotFound("The message");
}
