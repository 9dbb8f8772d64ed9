using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Servers;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Gateway;

/// <summary>A cluster on the services the whole test run shares.</summary>
public sealed class SharedServicesCluster : Cluster;

/// <summary>What one cluster, started once for these tests, does: jobs, and rate limits through nginx.</summary>
[Collection(RunAlone.Name)]
public sealed class ClusterTests(SharedServicesCluster cluster) : IClassFixture<SharedServicesCluster>
{
    [Fact]
    public async Task Jobs_queued_by_the_api_nodes_run_on_the_worker_node()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{cluster.NginxPort}/"), Timeout = TimeSpan.FromSeconds(10) };
        var tokens = await http.RegisterAsync();
        var address = $"{tokens.User.Username}@example.test";

        // Signing up queues the verification mail; with no SMTP_URL the node that runs the job files it as .eml.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Cluster.MailTo(cluster.WorkerDataDirectory, address).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the worker node never sent the verification mail");
            await Task.Delay(200);
        }
        Assert.Single(Cluster.MailTo(cluster.WorkerDataDirectory, address));
        // KAMACHAT_ROLES=api (the unit's): the API nodes queue jobs and never run them.
        Assert.All(cluster.ApiDataDirectories, directory => Assert.Empty(Cluster.MailTo(directory, address)));
    }

    [Fact]
    public async Task Through_nginx_two_client_addresses_are_rate_limited_separately()
    {
        var baseUri = new Uri($"http://127.0.0.1:{cluster.NginxPort}/");
        using var first = ClientFrom(IPAddress.Parse("127.0.0.2"), baseUri);
        using var second = ClientFrom(IPAddress.Parse("127.0.0.3"), baseUri);

        // Each node counts for itself and nginx spreads the requests over both: go on until both refuse in turn.
        var refusedInARow = 0;
        for (var attempt = 0; refusedInARow < 4; attempt++)
        {
            Assert.True(attempt < 200, "sign-in attempts from one address were never limited");
            var response = await WrongLoginAsync(first);
            refusedInARow = response.StatusCode == HttpStatusCode.TooManyRequests ? refusedInARow + 1 : 0;
        }

        // Another client behind the same nginx still has its own allowance on both nodes.
        for (var i = 0; i < 4; i++)
            await (await WrongLoginAsync(second)).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    private static Task<HttpResponseMessage> WrongLoginAsync(HttpClient client) =>
        client.PostAsJsonAsync("api/v1/auth/login", new { login = Api.UniqueName(), password = "not the password" });

    /// <summary>A client whose connections come from <paramref name="local"/>, one of loopback's many addresses.</summary>
    private static HttpClient ClientFrom(IPAddress local, Uri baseUri) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(10) };
}

/// <summary>A node killed mid-stream, on a cluster of its own (the shared services, its own database).</summary>
[Collection(RunAlone.Name)]
public sealed class ClusterNodeDeathTests : Cluster
{
    private const int KillAfter = 300;

    [Fact]
    public async Task Clients_on_both_nodes_get_every_message_once_and_in_order_when_a_node_dies_mid_stream()
    {
        var baseUri = new Uri($"http://127.0.0.1:{NginxPort}/");
        using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(10) };
        var (channelId, clients) = await StartStreamAsync(http);
        var retries = 0;
        for (var i = 0; i < MessageCount; i++)
        {
            if (i == KillAfter)
                NodeOne.Kill();
            retries += await SendWithRetriesAsync(http, channelId, i);
        }

        var expected = Enumerable.Range(0, MessageCount).Select(i => Content(i)).ToList();
        foreach (var client in clients)
        {
            Assert.True(await client.WaitForAsync(MessageCount, TimeSpan.FromSeconds(60)),
                $"client on node {client.NodeId} applied {client.Applied.Count} of {MessageCount}");
            Assert.Equal(expected, client.Applied);
        }
        // Retries after the kill reused their nonces: the channel holds each message exactly once.
        await using var db = Database();
        Assert.Equal(MessageCount, await db.Messages.CountAsync(m => m.ChannelId == channelId));
        Console.WriteLine($"cluster: {MessageCount} messages, {retries} retried sends, resumes per client: " +
            string.Join(", ", clients.Select(c => $"node{c.NodeId}→{c.Resumes} ({c.DuplicatesDropped} duplicates dropped)")));
        foreach (var client in clients)
            await client.DisposeAsync();
    }
}
