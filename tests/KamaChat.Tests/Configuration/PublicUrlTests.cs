using KamaChat.Server.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;

namespace KamaChat.Tests.Configuration;

public sealed class PublicUrlTests
{
    private static ServerOptions Bind(string? publicUrl)
    {
        var options = new ServerOptions();
        ServerOptions.Bind(options, new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["PUBLIC_URL"] = publicUrl }).Build());
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
    [InlineData("chat.example.com")]
    [InlineData("ftp://chat.example.com")]
    public void A_public_url_that_is_not_absolute_http_refuses_to_start(string publicUrl) =>
        Assert.True(new ServerOptionsValidator().Validate(null, Bind(publicUrl)).Failed);
}
