using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;

namespace KamaChat.Server.Features.Permissions;

/// <summary>Which channels an endpoint works on; the others answer as if the channel did not exist (or held no messages).</summary>
public enum ChannelScope
{
    /// <summary>Server channels, DMs and group DMs.</summary>
    Any,

    /// <summary>Server channels only: a DM or group DM answers 404.</summary>
    ServerChannel,

    /// <summary>Channels that hold messages: a category answers 400 <c>not_text_channel</c>.</summary>
    MessageChannel,
}

/// <summary>
/// Authorization declared on the endpoint, e.g. <c>group.MapPost("/roles", CreateAsync).RequireServerPermission(Permissions.ManageRoles)</c>.
/// The filter resolves the caller's access through <see cref="PermissionService"/> (the one resolver), answers 404
/// <c>not_found</c> when they cannot see the server or channel, 403 <c>timed_out</c> when only a timeout keeps them from
/// it and 403 <c>missing_permission</c> (naming what they lack) otherwise, and hands the handler its <see cref="ServerAccess"/> or <see cref="ChannelAccess"/> parameter. Checks that
/// are not "has permission X here" (role hierarchy, owner only, own message) stay in the handler, on that access.
/// </summary>
public static class PermissionFilters
{
    /// <summary>The caller must be a member of the server in the route (<c>{id}</c> unless named) and hold <paramref name="needed"/>.</summary>
    public static RouteHandlerBuilder RequireServerPermission(
        this RouteHandlerBuilder endpoint, Permissions needed = Permissions.None, string routeParameter = "id") =>
        Require<ServerAccess>(endpoint, needed, routeParameter, "The server",
            (permissions, userId, serverId, cancellationToken) => permissions.AuthorizeServerAsync(userId, serverId, needed, cancellationToken),
            _ => null);

    /// <summary>The caller must see the channel in the route (<c>{id}</c> unless named), within <paramref name="scope"/>, and hold <paramref name="needed"/> there.</summary>
    public static RouteHandlerBuilder RequireChannelPermission(
        this RouteHandlerBuilder endpoint, Permissions needed = Permissions.None, ChannelScope scope = ChannelScope.Any, string routeParameter = "id")
    {
        if (scope == ChannelScope.MessageChannel)
            endpoint.ProducesProblem(StatusCodes.Status400BadRequest);
        return Require<ChannelAccess>(endpoint, needed, routeParameter, "The channel",
            (permissions, userId, channelId, cancellationToken) => permissions.AuthorizeChannelAsync(userId, channelId, needed, cancellationToken),
            access => scope switch
            {
                ChannelScope.ServerChannel when access.Channel.IsPrivate => Problems.NotFound("The channel"),
                ChannelScope.MessageChannel when access.Channel.Type == ChannelType.Category => PermissionProblems.NotTextChannel(),
                _ => null,
            });
    }

    /// <summary>
    /// The filter both declarations share: resolve, refuse (404 unseen, then out of scope, then 403 lacking), or fill the
    /// handler's <typeparamref name="TAccess"/> parameter and go on.
    /// </summary>
    private static RouteHandlerBuilder Require<TAccess>(
        RouteHandlerBuilder endpoint, Permissions needed, string routeParameter, string what,
        Func<PermissionService, Snowflake, Snowflake, CancellationToken, Task<AccessDecision<TAccess>>> decide,
        Func<TAccess, ProblemHttpResult?> outOfScope) where TAccess : class
    {
        endpoint.WithMetadata(new FilledByPermissionFilter(typeof(TAccess)));
        endpoint.AddEndpointFilterFactory((factory, next) =>
        {
            var slot = Array.FindIndex(factory.MethodInfo.GetParameters(), p => p.ParameterType == typeof(TAccess));
            return async invocation =>
            {
                var http = invocation.HttpContext;
                if (!Snowflake.TryParse(http.Request.RouteValues[routeParameter] as string, out var id))
                    return Problems.NotFound(what);
                var decision = await decide(http.RequestServices.GetRequiredService<PermissionService>(), CurrentUser.From(http.User).Id, id, http.RequestAborted);
                if (decision.Access is not { } access)
                    return Problems.NotFound(what);
                if (outOfScope(access) is { } refusal)
                    return refusal;
                if (decision.Missing != Permissions.None)
                    return decision.TimedOutUntil is { } until ? PermissionProblems.TimedOut(until) : PermissionProblems.MissingPermission(decision.Missing);
                if (slot >= 0)
                    invocation.Arguments[slot] = access;
                return await next(invocation);
            };
        });
        // The handler takes the access, not the id, so OpenAPI would not know the route's id: declare it.
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            if (!operation.Parameters.Any(p => p.Name == routeParameter && p.In == ParameterLocation.Path))
                operation.Parameters.Insert(0, new OpenApiParameter
                {
                    Name = routeParameter,
                    In = ParameterLocation.Path,
                    Required = true,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = Snowflake.Pattern },
                });
            return Task.CompletedTask;
        });
        endpoint.ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        return needed == Permissions.None ? endpoint : endpoint.ProducesProblem(StatusCodes.Status403Forbidden);
    }

    /// <summary>
    /// Minimal APIs bind every handler parameter before filters run, so an access parameter binds to a placeholder the
    /// filter then replaces. Binding one on an endpoint without the filter is a programming error, caught on first use.
    /// </summary>
    internal static ValueTask<T?> Placeholder<T>(HttpContext context, T unresolved) where T : class =>
        context.GetEndpoint()?.Metadata.GetOrderedMetadata<FilledByPermissionFilter>().Any(m => m.AccessType == typeof(T)) == true
            ? ValueTask.FromResult<T?>(unresolved)
            : throw new InvalidOperationException($"A {typeof(T).Name} parameter needs Require{(typeof(T) == typeof(ServerAccess) ? "Server" : "Channel")}Permission on its endpoint.");

    private sealed record FilledByPermissionFilter(Type AccessType);
}

/// <summary>The refusals of <see cref="PermissionFilters"/> (and of handler checks that name a permission), with one wording.</summary>
public static class PermissionProblems
{
    public static ProblemHttpResult MissingPermission(Permissions needed) =>
        Problems.Of(StatusCodes.Status403Forbidden, "missing_permission", MissingDetail(needed),
            new Dictionary<string, object?> { ["permission"] = needed.ToString() });

    /// <summary>The text after "missing_permission: " in hub errors, and the detail of the 403 problem.</summary>
    public static string MissingDetail(Permissions needed) => $"You need the {needed} permission for this.";

    /// <summary>
    /// The refusal of a handler's own check (own message or Manage Messages, and the like): 403 timed_out when the member
    /// holds <paramref name="needed"/> (or <paramref name="alternative"/>) apart from a timeout, so the timeout alone is
    /// why, as the filters answer; 403 missing_permission naming <paramref name="needed"/> otherwise.
    /// </summary>
    public static ProblemHttpResult Refusal(Permissions held, DateTimeOffset? timedOutUntil, Permissions needed, Permissions alternative = Permissions.None) =>
        timedOutUntil is { } until && ((held & needed) == needed || (alternative != Permissions.None && (held & alternative) == alternative))
            ? TimedOut(until)
            : MissingPermission(needed);

    /// <summary>A timed-out member tried what the timeout takes from them; <c>timedOutUntil</c> says until when.</summary>
    public static ProblemHttpResult TimedOut(DateTimeOffset until) =>
        Problems.Of(StatusCodes.Status403Forbidden, "timed_out", TimedOutDetail(until),
            new Dictionary<string, object?> { ["timedOutUntil"] = until });

    /// <summary>The text after "timed_out: " in hub errors, and the detail of the 403 problem.</summary>
    public static string TimedOutDetail(DateTimeOffset until) => $"You are timed out until {until:u}.";

    /// <summary>A hub method's refusal of a decision that is not allowed (the hub's shape of the filter's 403s).</summary>
    public static string HubRefusal<TAccess>(AccessDecision<TAccess> decision) where TAccess : class =>
        decision.TimedOutUntil is { } until ? "timed_out: " + TimedOutDetail(until) : "missing_permission: " + MissingDetail(decision.Missing);

    public static ProblemHttpResult NotTextChannel() =>
        Problems.Of(StatusCodes.Status400BadRequest, "not_text_channel", "This channel does not hold messages.");
}
