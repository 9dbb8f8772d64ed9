using System.Reflection;
using KamaChat.Server.Features.Channels;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Validation;

namespace KamaChat.Server.Features.Permissions;

/// <summary>
/// A member's standing in a server: what they may do there and how high they stand in the role hierarchy.
/// A handler takes it as a parameter when its endpoint declares <see cref="PermissionFilters.RequireServerPermission"/>.
/// </summary>
#pragma warning disable ASP0029 // SkipValidation is marked for evaluation; without it every request validates these (see ChannelAccess)
[SkipValidation] // resolved from the database, never read from the request
#pragma warning restore ASP0029
public sealed record ServerAccess(
    Snowflake ServerId, Snowflake OwnerId, bool IsOwner, Permissions Permissions, int HighestRolePosition, DateTimeOffset? TimedOutUntil = null)
    : IBindableFromHttpContext<ServerAccess>
{
    private static readonly ServerAccess Unresolved = new(default, default, false, Permissions.None, 0);

    public bool Has(Permissions permission) => (Permissions & permission) == permission;

    /// <summary>What the member holds apart from a timeout (<see cref="Permissions"/> is what they may do now).</summary>
    public Permissions Held { get; init; }

    /// <summary>The refusal of what needs <paramref name="needed"/> (or <paramref name="alternative"/>), which the member lacks now.</summary>
    public ProblemHttpResult Refusal(Permissions needed, Permissions alternative = Permissions.None) =>
        PermissionProblems.Refusal(Held, TimedOutUntil, needed, alternative);

    /// <summary>What a timed-out member keeps (Discord's rule): seeing channels and reading their history, nothing else.</summary>
    public const Permissions KeptWhileTimedOut = Permissions.ViewChannel | Permissions.ReadMessageHistory;

    /// <summary>
    /// When a timeout holds the member now, its end; otherwise null. It holds until it ends, unless they are the owner or
    /// an administrator (who cannot be timed out, and are not held by a timeout set before they became one).
    /// </summary>
    public DateTimeOffset? TimeoutAt(DateTimeOffset now) => TimedOutUntil > now && !IsOwner && !Has(Permissions.Administrator) ? TimedOutUntil : null;

    public static ValueTask<ServerAccess?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        PermissionFilters.Placeholder<ServerAccess>(context, Unresolved);
}

/// <summary>
/// What a user may do in one channel they can see (a server channel, a DM or a group DM).
/// A handler takes it as a parameter when its endpoint declares <see cref="PermissionFilters.RequireChannelPermission"/>.
/// </summary>
/// <remarks>
/// Not validated: it is resolved from the database, never read from the request, yet the minimal-API validation filter
/// walked it and its channel entity's properties (by reflection) on every request: 2.5% of a history page's node CPU.
/// </remarks>
#pragma warning disable ASP0029 // SkipValidation is marked for evaluation only; ASP.NET Core offers no other way to say this
[SkipValidation]
#pragma warning restore ASP0029
public sealed record ChannelAccess(Channel Channel, Permissions Permissions, ServerAccess? Server) : IBindableFromHttpContext<ChannelAccess>
{
    private static readonly ChannelAccess Unresolved = new(new Channel(), Permissions.None, null);

    public bool Has(Permissions permission) => (Permissions & permission) == permission;

    /// <summary>What the user holds here apart from a timeout (<see cref="Permissions"/> is what they may do now).</summary>
    public Permissions Held { get; init; }

    /// <summary>The refusal of what needs <paramref name="needed"/> (or <paramref name="alternative"/>), which the user lacks here now.</summary>
    public ProblemHttpResult Refusal(Permissions needed, Permissions alternative = Permissions.None) =>
        PermissionProblems.Refusal(Held, Server?.TimedOutUntil, needed, alternative);

    public Snowflake ChannelId => Channel.Id;

    public static ValueTask<ChannelAccess?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        PermissionFilters.Placeholder<ChannelAccess>(context, Unresolved);
}

/// <summary>
/// The answer to "may this user do X here": the access when they can see the place, and which of the needed
/// permissions they lack (none when allowed). Not seeing it is 404 to callers, lacking a permission 403.
/// <paramref name="TimedOutUntil"/>: when they lack them only because a timeout holds them, its end (403 timed_out).
/// </summary>
public readonly record struct AccessDecision<TAccess>(TAccess? Access, Permissions Missing, DateTimeOffset? TimedOutUntil = null) where TAccess : class
{
    public bool Allowed => Access is not null && Missing == Permissions.None;
}
