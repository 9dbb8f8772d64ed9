using KamaChat.Server.Features.Channels;

namespace KamaChat.Server.Features.Servers;

/// <summary>Registers and maps the server side of chat: servers, members, bans, invites, roles and server channels.</summary>
public static class ServerExtensions
{
    public static IHostApplicationBuilder AddServers(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<TemporaryMembership>();
        return builder;
    }

    public static IEndpointRouteBuilder MapServers(this IEndpointRouteBuilder app)
    {
        app.MapServerEndpoints();
        app.MapMemberEndpoints();
        app.MapTimeoutEndpoints();
        app.MapBanEndpoints();
        app.MapInviteEndpoints();
        app.MapRoleEndpoints();
        app.MapChannelEndpoints();
        app.MapOverwriteEndpoints();
        return app;
    }
}
