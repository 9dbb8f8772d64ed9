using Microsoft.AspNetCore.SignalR;

namespace KamaChat.Server.Features.Gateway;

/// <summary>
/// Logs what goes wrong in the hub, and only that. SignalR logs every exception a hub method or OnConnectedAsync throws
/// as an error with its stack trace, including the HubExceptions that are our answers to bad or excessive calls and
/// connections ("validation_failed", "rate_limited"): a client flooding refused calls would then cost the node a stack
/// trace per call and fill its log. Those two categories are silenced (<see cref="GatewayExtensions"/>); this filter
/// logs the real failures in their place.
/// </summary>
public sealed class GatewayErrorLogging(ILogger<GatewayHub> logger) : IHubFilter
{
    public const string DispatcherCategory = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";
    public const string ConnectionHandlerCategory = "Microsoft.AspNetCore.SignalR.HubConnectionHandler";

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (Exception e) when (IsFailure(e, invocationContext.Context))
        {
            logger.LogError(e, "Hub method {Method} failed on connection {ConnectionId}", invocationContext.HubMethodName, invocationContext.Context.ConnectionId);
            throw;
        }
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (IsFailure(e, context.Context))
        {
            logger.LogError(e, "Opening gateway connection {ConnectionId} failed", context.Context.ConnectionId);
            throw;
        }
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        try
        {
            await next(context, exception);
        }
        catch (Exception e) when (IsFailure(e, context.Context))
        {
            logger.LogError(e, "Closing gateway connection {ConnectionId} failed", context.Context.ConnectionId);
            throw;
        }
    }

    /// <summary>Not an answer to the client, nor the connection going away.</summary>
    private static bool IsFailure(Exception e, HubCallerContext context) =>
        e is not HubException && !(e is OperationCanceledException && context.ConnectionAborted.IsCancellationRequested);
}
