using System.Globalization;
using System.Net;
using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using MimeKit;

namespace KamaChat.Tests.Configuration;

/// <summary>Run alone (RunAlone): one test starts a server process, which next to the parallel tests could take over a minute to listen.</summary>
[Collection(RunAlone.Name)]
public sealed class PublicUrlTests
{
    private static ServerOptions Bind(string? publicUrl, Dictionary<string, string?>? listen = null)
    {
        var settings = new Dictionary<string, string?>(listen ?? []) { ["PUBLIC_URL"] = publicUrl };
        var options = new ServerOptions();
        ServerOptions.Bind(options, new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return options;
    }

    [Theory]
    [InlineData(null, "http://localhost:3000/verify-email?x=1")]
    [InlineData("https://chat.example.com", "https://chat.example.com/verify-email?x=1")]
    [InlineData("https://example.com/chat/", "https://example.com/chat/verify-email?x=1")]
    [InlineData("https://example.com/chat", "https://example.com/chat/verify-email?x=1")]
    public void Email_links_start_with_the_public_url_including_its_path(string? publicUrl, string expected) =>
        Assert.Equal(expected, new Uri(Bind(publicUrl).PublicUrl, "verify-email?x=1").AbsoluteUri);

    [Theory]
    [InlineData(null, "8080", null, "http://localhost:8080/")]
    [InlineData("127.0.0.1", "4123", null, "http://127.0.0.1:4123/")]
    [InlineData("0.0.0.0", "5000", null, "http://localhost:5000/")]
    [InlineData("::", "5000", null, "http://localhost:5000/")]
    [InlineData("chat.lan", null, null, "http://chat.lan:3000/")]
    [InlineData("0.0.0.0", "5000", "http://+:8081;http://127.0.0.1:8082", "http://localhost:8081/")]
    [InlineData(null, null, "https://[::1]:8443", "https://[::1]:8443/")]
    public void Without_a_public_url_links_go_to_the_address_the_server_listens_on(string? host, string? port, string? urls, string expected)
    {
        var listen = new Dictionary<string, string?> { ["HOST"] = host, ["PORT"] = port, ["URLS"] = urls };
        Assert.Equal(expected, Bind(null, listen).PublicUrl.AbsoluteUri);
    }

    [Fact]
    public void A_public_url_that_is_set_wins_over_the_listen_address() =>
        Assert.Equal("https://chat.example.com/", Bind("https://chat.example.com", new() { ["PORT"] = "8080" }).PublicUrl.AbsoluteUri);

    [Theory]
    [InlineData("chat.example.com")]
    [InlineData("ftp://chat.example.com")]
    public void A_public_url_that_is_not_absolute_http_refuses_to_start(string publicUrl) =>
        Assert.True(new ServerOptionsValidator().Validate(null, Bind(publicUrl)).Failed);

    /// <summary>The real executable on a port of its own, no PUBLIC_URL: the mailed link must lead back to it.</summary>
    [Fact]
    public async Task A_server_on_any_port_mails_links_that_open_on_that_port()
    {
        var data = Directory.CreateTempSubdirectory("kamachat-public-url-").FullName;
        var port = ServiceProcess.FreeLoopbackPort().ToString(CultureInfo.InvariantCulture);
        // A stand-in for the built web client, so that the link's page is served as the real one would be.
        var web = Directory.CreateDirectory(Path.Combine(data, "web")).FullName;
        await File.WriteAllTextAsync(Path.Combine(web, "index.html"), "<!doctype html><title>KamaChat test client</title>");
        try
        {
            await using (var server = ServiceProcess.Start("dotnet", $"\"{Path.Combine(AppContext.BaseDirectory, "KamaChat.Server.dll")}\"",
                             new Dictionary<string, string>
                             {
                                 ["NODE_ENV"] = "development",
                                 ["ASPNETCORE_ENVIRONMENT"] = "",
                                 ["HOST"] = "127.0.0.1",
                                 ["PORT"] = port,
                                 ["PUBLIC_URL"] = "",
                                 ["URLS"] = "",
                                 ["ASPNETCORE_URLS"] = "",
                                 ["SMTP_URL"] = "",
                                 ["DATABASE_URL"] = "",
                                 ["KAMACHAT_DATA_DIR"] = data,
                                 ["KAMACHAT_WEB_ROOT"] = web,
                                 ["Logging__LogLevel__Default"] = "Warning",
                             }, data))
            {
                await server.WaitForPortAsync(int.Parse(port, CultureInfo.InvariantCulture), TimeSpan.FromSeconds(60));
                using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
                var name = Api.UniqueName();
                await client.RegisterAsync(name);

                var mail = Path.Combine(data, "mail");
                MimeMessage? message = null;
                for (var i = 0; i < 100 && message is null; i++)
                {
                    message = Directory.Exists(mail)
                        ? Directory.GetFiles(mail, "*.eml").Select(f => MimeMessage.Load(f))
                            .FirstOrDefault(m => m.To.Mailboxes.Any(a => a.Address == $"{name}@example.test"))
                        : null;
                    if (message is null)
                        await Task.Delay(100);
                }

                Assert.NotNull(message);
                var (link, _) = Mail.LinkTo(message, "verify-email");
                Assert.StartsWith($"http://127.0.0.1:{port}/verify-email?", link.AbsoluteUri, StringComparison.Ordinal);
                // The link opens the web client's page on this very server.
                var page = await client.GetAsync(link);
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                Assert.Contains("KamaChat test client", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
