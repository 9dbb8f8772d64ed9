using System.Net;
using System.Net.Http.Json;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Jobs;

/// <summary>The whole server with HOST_RABBITMQ set: mail travels app → RabbitMQ → worker → SMTP.</summary>
public sealed class RabbitMqMailingApp : KamaChatApp
{
    public override string ProviderName => "sqlite";

    public int? BrokerPortOverride { get; init; }

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));

    protected override async Task<IReadOnlyDictionary<string, string?>> SettingsAsync()
    {
        var (host, port) = await RabbitMqServer.EndpointAsync();
        return new Dictionary<string, string?>
        {
            ["HOST_RABBITMQ"] = host,
            ["PORT_RABBITMQ"] = (BrokerPortOverride ?? port).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["USER_RABBITMQ"] = "guest",
            ["PASSWORD_RABBITMQ"] = "guest",
            ["KAMACHAT_JOB_QUEUE"] = "kamachat.app." + Guid.NewGuid().ToString("N")[..8],
            ["SMTP_URL"] = await SmtpServer.UrlAsync(),
        };
    }
}

[Trait("Service", "rabbitmq")]
[Collection(RunAlone.Name)]
public sealed class RabbitMqAppTests(RabbitMqMailingApp app) : IClassFixture<RabbitMqMailingApp>
{
    [Fact]
    public async Task The_sign_up_email_travels_through_rabbitmq_to_the_smtp_server()
    {
        var name = Api.UniqueName();
        await app.CreateClient().RegisterAsync(name);

        var message = await SmtpServer.WaitForMessageAsync($"{name}@example.test", "Verify your email address");
        Mail.LinkTo(message, "verify-email");
    }

    [Fact]
    public async Task Without_the_broker_the_node_is_not_ready_and_says_so_instead_of_failing()
    {
        var ready = await app.CreateClient().GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        await using var unreachable = new RabbitMqMailingApp { BrokerPortOverride = RabbitMqServer.FreeLoopbackPort() };
        await unreachable.InitializeAsync();
        var client = unreachable.CreateClient();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/readyz")).StatusCode);

        // A request whose whole point is a job answers 503 and changes nothing ...
        var reset = await client.PostAsJsonAsync("/api/v1/auth/password-reset", new { email = "someone@example.test" });
        await reset.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
        Assert.NotNull(reset.Headers.RetryAfter);
        // ... while sign-up, for which the mail is a side effect, still works (the link can be resent later).
        await client.RegisterAsync();
    }
}
