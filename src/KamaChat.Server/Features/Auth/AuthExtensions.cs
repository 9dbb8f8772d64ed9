using System.Security.Claims;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Account;
using KamaChat.Server.Features.Users;
using KamaChat.Server.Infrastructure.Configuration;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace KamaChat.Server.Features.Auth;

public static class AuthExtensions
{
    public static IHostApplicationBuilder AddAuth(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddIdentityCore<User>(options =>
            {
                // Length and a common-password list (CommonPasswordValidator), not composition rules (NIST SP 800-63B).
                options.Password.RequiredLength = AuthRules.PasswordMinLength;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequiredUniqueChars = 1;
                options.User.RequireUniqueEmail = true;
                options.User.AllowedUserNameCharacters = AuthRules.UserNameCharacters;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddEntityFrameworkStores<KamaDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders()
            .AddAccountSecurity()
            .AddPasswordValidator<CommonPasswordValidator>();

        services.AddScoped<TokenService>();
        services.AddScoped<UnknownLogins>();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddSingleton<ValidatedTokens>();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<JwtOptions>, ValidatedTokens>((options, jwt, validatedTokens) =>
            {
                options.MapInboundClaims = false;
                // Nothing reads the token back from the authentication result, and a gateway request keeps its result
                // as long as its WebSocket: saved, the token was ~0.8 KiB of every idle connection.
                options.SaveToken = false;
                options.TokenHandlers.Clear();
                options.TokenHandlers.Add(validatedTokens);
                options.TokenValidationParameters = TokenService.ValidationParameters(jwt.Value);
                options.Events = BearerEvents;
            });
        services.AddAuthorization();
        return builder;
    }

    private static readonly JwtBearerEvents BearerEvents = new()
    {
        OnMessageReceived = context =>
        {
            // Browsers cannot set headers on WebSocket requests, so the gateway takes the token from the query.
            if (context.HttpContext.Request.Path.StartsWithSegments("/hubs") &&
                context.Request.Query[QueryTokenName] is { Count: > 0 } token)
                context.Token = token;
            return Task.CompletedTask;
        },
        OnTokenValidated = async context =>
        {
            // A revoked session (logout, "sign out that device", reused refresh token) must stop working
            // now, not when its access token expires.
            // A gateway request lives as long as its WebSocket: resolving the DbContext from its scope kept one alive
            // per connection (about 40 KiB each), so hub requests check in a scope of their own. Ordinary requests
            // share the request's DbContext with their handler.
            var http = context.HttpContext;
            await using var own = http.Request.Path.StartsWithSegments("/hubs")
                ? http.RequestServices.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope()
                : (AsyncServiceScope?)null;
            var tokens = (own?.ServiceProvider ?? http.RequestServices).GetRequiredService<TokenService>();
            if (context.Principal is not { } principal ||
                !principal.TryGetUserId(out var userId) || !principal.TryGetSessionId(out var sessionId) ||
                !await tokens.IsSessionActiveAsync(userId, sessionId, context.HttpContext.RequestAborted))
                context.Fail(new SecurityTokenException("session_revoked"));
            else if (own is not null)
            {
                // The validated token's principal (every JWT claim with its properties, and the token itself) would
                // live as long as the WebSocket, ~3 KiB per idle connection; the gateway reads only these two.
                context.Principal = new ClaimsPrincipal(new ClaimsIdentity(
                    [new Claim(JwtRegisteredClaimNames.Sub, principal.FindFirstValue(JwtRegisteredClaimNames.Sub)!),
                     new Claim(TokenService.SessionClaim, principal.FindFirstValue(TokenService.SessionClaim)!)],
                    principal.Identity?.AuthenticationType ?? JwtBearerDefaults.AuthenticationScheme));
                ForgetToken(http.Request);
            }
        },
        OnChallenge = async context =>
        {
            context.HandleResponse();
            var (code, detail) = context.AuthenticateFailure switch
            {
                SecurityTokenExpiredException => ("token_expired", "The access token has expired; refresh it."),
                SecurityTokenException { Message: "session_revoked" } => ("session_revoked", "This session was signed out."),
                not null => ("invalid_token", "The access token is not valid."),
                null => ("unauthorized", "Sign in to use this endpoint."),
            };
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context.HttpContext,
                ProblemDetails = new ProblemDetails { Status = 401, Detail = detail, Extensions = { ["code"] = code } },
            });
        },
    };

    /// <summary>
    /// Takes the validated token out of a gateway request, which lives as long as its WebSocket: its Authorization header
    /// (native clients) or its query, the raw request target included (browsers, ~2 KiB of copies), stayed in memory
    /// for the connection's life, where nothing reads them again. The rest of the query (SignalR's connection id) stays.
    /// </summary>
    private static void ForgetToken(HttpRequest request)
    {
        request.Headers.Authorization = default;
        if (!request.Query.ContainsKey(QueryTokenName))
            return;
        var rest = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in request.Query)
            if (!string.Equals(name, QueryTokenName, StringComparison.OrdinalIgnoreCase))
                rest[name] = value;
        // Sets the query string from the collection too.
        request.Query = new QueryCollection(rest);
        if (request.HttpContext.Features.Get<IHttpRequestFeature>() is { } target && target.RawTarget.IndexOf('?', StringComparison.Ordinal) is var start and >= 0)
            target.RawTarget = target.RawTarget[..start] + request.QueryString;
    }

    private const string QueryTokenName = "access_token";

    public static bool TryGetUserId(this ClaimsPrincipal principal, out Snowflake userId) =>
        Snowflake.TryParse(principal.FindFirstValue(JwtRegisteredClaimNames.Sub), out userId);

    public static bool TryGetSessionId(this ClaimsPrincipal principal, out Snowflake sessionId) =>
        Snowflake.TryParse(principal.FindFirstValue(TokenService.SessionClaim), out sessionId);
}
