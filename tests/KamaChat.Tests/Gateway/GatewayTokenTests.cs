using System.Collections.Concurrent;
using System.Net.WebSockets;
using KamaChat.Server.Features.Gateway;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Gateway;

/// <summary>
/// A gateway request lives as long as its WebSocket. Once its token is validated, nothing of the request keeps the token
/// (it stayed in memory for the connection's life), and what SignalR still reads from the request stays: the connection
/// id in a negotiated connection's query.
/// </summary>
public sealed class GatewayTokenTests(GatewayTokenTests.ProbedApp app) : IClassFixture<GatewayTokenTests.ProbedApp>
{
    [Fact]
    public async Task A_browser_connection_keeps_its_connection_id_but_not_its_token()
    {
        var tokens = await Client().RegisterAsync();
        await using var connection = new HubConnectionBuilder().WithUrl(new Uri(Address(), "hubs/gateway"), options =>
        {
            // Negotiated first, as the web client does: the WebSocket's query then carries the connection id, and the
            // token beside it (browsers cannot set headers on a WebSocket).
            options.Transports = HttpTransportType.WebSockets;
            options.AccessTokenProvider = () => Task.FromResult<string?>(tokens.AccessToken);
            options.WebSocketFactory = async (context, cancellationToken) =>
            {
                Assert.Contains("id=", context.Uri.Query, StringComparison.Ordinal);
                var socket = new ClientWebSocket();
                await socket.ConnectAsync(new UriBuilder(context.Uri)
                {
                    Query = context.Uri.Query.TrimStart('?') + "&access_token=" + Uri.EscapeDataString(tokens.AccessToken),
                }.Uri, cancellationToken);
                return socket;
            };
        }).Build();

        var request = await ConnectAsync(connection, tokens);

        Assert.Contains("id=", request.Query, StringComparison.Ordinal);
        Assert.StartsWith("/hubs/gateway?id=", request.RawTarget, StringComparison.Ordinal);
        AssertForgotten(request, tokens.AccessToken);
    }

    [Fact]
    public async Task A_connection_with_the_token_in_its_header_does_not_keep_it()
    {
        var tokens = await Client().RegisterAsync();
        // As native clients (and the benches) connect: the SignalR client sends the token as a header.
        await using var connection = new HubConnectionBuilder().WithUrl(new Uri(Address(), "hubs/gateway"), options =>
        {
            options.Transports = HttpTransportType.WebSockets;
            options.SkipNegotiation = true;
            options.AccessTokenProvider = () => Task.FromResult<string?>(tokens.AccessToken);
        }).Build();

        var request = await ConnectAsync(connection, tokens);

        Assert.Equal("/hubs/gateway", request.RawTarget);
        AssertForgotten(request, tokens.AccessToken);
    }

    private Uri Address() => new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    private HttpClient Client() => new() { BaseAddress = Address() };

    /// <summary>Connects, waits for Ready, and returns what the connection's request held once the hub had it.</summary>
    private async Task<RequestSeen> ConnectAsync(HubConnection connection, Server.Features.Auth.AuthTokens tokens)
    {
        var ready = new TaskCompletionSource<ReadyPayload>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.On<ReadyPayload>("Ready", payload => ready.TrySetResult(payload));
        await connection.StartAsync();
        Assert.Equal(tokens.User.Id, (await ready.Task.WaitAsync(GatewayClient.Patience)).User.Id);
        return app.Seen[tokens.User.Id.ToString()];
    }

    private static void AssertForgotten(RequestSeen request, string token)
    {
        Assert.DoesNotContain(token, request.Authorization, StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.EscapeDataString(token), request.Query, StringComparison.Ordinal);
        Assert.DoesNotContain("access_token", request.RawTarget, StringComparison.Ordinal);
        Assert.DoesNotContain(token, request.AuthenticationProperties, StringComparison.Ordinal);
    }

    public sealed record RequestSeen(string Authorization, string Query, string RawTarget, string AuthenticationProperties);

    /// <summary>The app with a hub filter that notes, per user, what a gateway connection's request holds when the hub gets it.</summary>
    public sealed class ProbedApp : KamaChatApp
    {
        public override string ProviderName => "sqlite";

        // The request target is Kestrel's (the in-memory server has none).
        protected override bool UsesKestrel => true;

        public ConcurrentDictionary<string, RequestSeen> Seen { get; } = new();

        protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.Configure<HubOptions>(o => o.AddFilter(new RequestProbe(Seen))));
        }
    }

    private sealed class RequestProbe(ConcurrentDictionary<string, RequestSeen> seen) : IHubFilter
    {
        public Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
        {
            var http = context.Context.GetHttpContext()!;
            var properties = http.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Properties?.Items;
            seen[context.Context.User!.FindFirst("sub")!.Value] = new RequestSeen(
                http.Request.Headers.Authorization.ToString(),
                http.Request.QueryString.Value ?? "",
                http.Features.Get<IHttpRequestFeature>()!.RawTarget,
                string.Join(' ', properties?.Select(p => $"{p.Key}={p.Value}") ?? []));
            return next(context);
        }
    }
}
