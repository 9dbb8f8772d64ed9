using System.Reflection;
using System.Security.Claims;

namespace KamaChat.Server.Features.Auth;

/// <summary>
/// The signed-in caller, read once from the access token's claims: a handler takes <c>CurrentUser user</c> instead of
/// the principal. Only on endpoints (and hub methods) that require authorization.
/// </summary>
public sealed record CurrentUser(Snowflake Id, Snowflake SessionId) : IBindableFromHttpContext<CurrentUser>
{
    public static ValueTask<CurrentUser?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        ValueTask.FromResult<CurrentUser?>(From(context.User));

    public static CurrentUser From(ClaimsPrincipal principal) =>
        principal.TryGetUserId(out var id) && principal.TryGetSessionId(out var sessionId)
            ? new CurrentUser(id, sessionId)
            : throw new InvalidOperationException("The endpoint does not require authorization.");
}
