using System.Globalization;
using System.Net;
using KamaChat.Server.Features.Calls;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KamaChat.Tests.Calls;

/// <summary>
/// TURN credentials by the TURN REST API scheme, checked by a real coturn 4.6 (in the voice lab's namespace, with
/// use-auth-secret): the test's own TURN client asks for a relay with the credential the server hands out.
/// </summary>
public sealed class TurnCredentialTests(VoiceLabApp app) : IClassFixture<VoiceLabApp>
{
    private IPEndPoint Coturn
    {
        get
        {
            // turn:10.213.N.2:3478
            var hostPort = app.Lab.TurnUrl["turn:".Length..].Split(':');
            return new IPEndPoint(IPAddress.Parse(hostPort[0]), int.Parse(hostPort[1], CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void A_credential_is_expiry_colon_user_signed_with_HMAC_SHA1_of_the_shared_secret()
    {
        var credential = TurnCredential.Create("north", "42", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

        Assert.Equal("1700000000:42", credential.Username);
        // Python: base64.b64encode(hmac.new(b"north", b"1700000000:42", hashlib.sha1).digest())
        Assert.Equal("DWX3FI7DiPIpadEYQAZsnZBAagI=", credential.Password);
        Assert.Throws<ArgumentException>(() => TurnCredential.Create("north", "a:b", DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void A_user_gets_STUN_and_TURN_with_a_credential_of_their_own_that_expires_after_the_configured_lifetime()
    {
        var now = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        var options = Options.Create(new TurnOptions
        {
            TurnUrls = ["turn:turn.example.com:3478", "turns:turn.example.com:5349?transport=tcp"],
            StunUrls = ["stun:turn.example.com:3478"],
            Secret = "shared",
            CredentialLifetime = TimeSpan.FromHours(2),
        });
        var servers = new IceServers(options, new FixedClock(now)).For(42);

        Assert.Equal(2, servers.Count);
        Assert.Equal(["stun:turn.example.com:3478"], servers[0].Urls);
        Assert.Null(servers[0].Username);
        Assert.Equal(["turn:turn.example.com:3478", "turns:turn.example.com:5349?transport=tcp"], servers[1].Urls);
        Assert.Equal($"{(now + TimeSpan.FromHours(2)).ToUnixTimeSeconds()}:42", servers[1].Username);
        Assert.Equal(TurnCredential.Create("shared", "42", now + TimeSpan.FromHours(2)).Password, servers[1].Credential);
        Assert.NotEqual(servers[1].Username, new IceServers(options, new FixedClock(now)).For(43)[1].Username);
        Assert.Empty(new IceServers(Options.Create(new TurnOptions()), new FixedClock(now)).For(42));
    }

    [Fact]
    public async Task Coturn_relays_for_a_fresh_credential_from_the_server()
    {
        var turn = app.Services.GetRequiredService<IceServers>().For(42).Single(s => s.Username is not null);

        var result = await TurnClient.AllocateAsync(Coturn, turn.Username!, turn.Credential!);

        Assert.Null(result.ErrorCode);
        Assert.Equal(IPAddress.Parse(app.Lab.LabAddress), result.RelayedAddress!.Address);
    }

    [Fact]
    public async Task Coturn_refuses_an_expired_credential()
    {
        var expired = TurnCredential.Create(app.Lab.TurnSecret, "42", DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1));

        var result = await TurnClient.AllocateAsync(Coturn, expired.Username, expired.Password);

        Assert.Equal(401, result.ErrorCode);
        Assert.Null(result.RelayedAddress);
    }

    [Fact]
    public async Task Coturn_refuses_a_credential_signed_with_another_secret()
    {
        var forged = TurnCredential.Create("not-the-shared-secret", "42", DateTimeOffset.UtcNow + TimeSpan.FromHours(1));

        var result = await TurnClient.AllocateAsync(Coturn, forged.Username, forged.Password);

        Assert.Equal(401, result.ErrorCode);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
