using Microsoft.AspNetCore.SignalR;

namespace KamaChat.Server.Features.Gateway;

/// <summary>
/// Logs what goes wrong in hub methods, and only that. SignalR's own dispatcher logs every exception a hub method
/// throws as an error with its stack trace, including the HubExceptions that are our answers to bad or excessive calls
/// ("validation_failed", "rate_limited"): a client flooding refused calls would then cost the node a stack trace per
/// call and fill its log. The dispatcher's category is silenced (<see cref="GatewayExtensions"/>); this filter logs the
/// real failures in its place.
/// </summary>
public sealed class GatewayErrorLogging(ILogger<GatewayHub> logger) : IHubFilter
{
    public const string DispatcherCategory = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (Exception e) when (e is not HubException && !(e is OperationCanceledException && invocationContext.Context.ConnectionAborted.IsCancellationRequested))
        {
            logger.LogError(e, "Hub method {Method} failed on connection {ConnectionId}", invocationContext.HubMethodName, invocationContext.Context.ConnectionId);
            throw;
        }
    }
}
