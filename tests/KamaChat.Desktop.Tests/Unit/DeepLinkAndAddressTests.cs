using KamaChat.Desktop.Integration;
using KamaChat.Desktop.Servers;

namespace KamaChat.Desktop.Tests.Unit;

public sealed class DeepLinkAndAddressTests
{
    [Theory]
    [InlineData("kamachat://invite/AbC-12_x", "/invite/AbC-12_x")]
    [InlineData("kamachat://channels/@me/123456789012345678", "/channels/@me/123456789012345678")]
    [InlineData("kamachat://channels/123/456", "/channels/123/456")]
    [InlineData("kamachat://channels/123", "/channels/123")]
    [InlineData("KAMACHAT://servers/1/channels/2", "/servers/1/channels/2")]
    [InlineData("kamachat://users/42/", "/users/42")]
    public void Known_links_become_paths_of_the_web_client(string link, string path) => Assert.Equal(path, DeepLink.ToPath(link));

    [Theory]
    [InlineData("kamachat://settings/account")]
    [InlineData("kamachat://invite/a/b")]
    [InlineData("kamachat://invite/%2e%2e")]
    [InlineData("kamachat://channels/abc")]
    [InlineData("kamachat://channels/1/2/3")]
    [InlineData("kamachat://invite/x?next=https://evil.example")]
    [InlineData("kamachat://user@invite/x")]
    [InlineData("https://example.org/invite/x")]
    [InlineData("kamachat:invite")]
    [InlineData("not a link")]
    public void Anything_else_is_refused(string link) => Assert.Null(DeepLink.ToPath(link));

    [Theory]
    [InlineData("http://localhost:3000", "http://localhost:3000")]
    [InlineData("http://localhost:3000/", "http://localhost:3000")]
    [InlineData("  chat.example.org ", "https://chat.example.org")]
    [InlineData("HTTPS://Chat.Example.org:443/", "https://chat.example.org")]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:8080")]
    public void A_typed_address_becomes_an_origin(string typed, string origin) => Assert.Equal(origin, ServerAddress.Normalize(typed));

    [Theory]
    [InlineData("")]
    [InlineData("ftp://example.org")]
    [InlineData("https://example.org/sub/path")]
    [InlineData("https://user:pw@example.org")]
    [InlineData("https://example.org/?x=1")]
    [InlineData("file:///etc/passwd")]
    [InlineData("javascript:alert(1)")]
    public void Other_addresses_are_refused(string typed) => Assert.Null(ServerAddress.Normalize(typed));
}
