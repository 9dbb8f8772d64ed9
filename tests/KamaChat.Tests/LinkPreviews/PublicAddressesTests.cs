using System.Net;
using KamaChat.Server.Features.LinkPreviews;

namespace KamaChat.Tests.LinkPreviews;

public sealed class PublicAddressesTests
{
    [Theory]
    // IPv4: public
    [InlineData("8.8.8.8", true)]
    [InlineData("1.1.1.1", true)]
    [InlineData("93.184.216.34", true)]
    [InlineData("100.63.255.255", true)]
    [InlineData("100.128.0.0", true)]
    [InlineData("172.15.255.255", true)]
    [InlineData("172.32.0.0", true)]
    [InlineData("223.255.255.255", true)]
    // IPv4: refused
    [InlineData("0.0.0.0", false)]
    [InlineData("0.1.2.3", false)]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.255.255.254", false)]
    [InlineData("10.0.0.1", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("100.64.0.1", false)] // CGNAT
    [InlineData("100.127.255.255", false)]
    [InlineData("169.254.169.254", false)] // link-local, cloud metadata
    [InlineData("192.0.0.8", false)]
    [InlineData("192.0.2.1", false)]
    [InlineData("198.18.0.1", false)]
    [InlineData("198.51.100.7", false)]
    [InlineData("203.0.113.9", false)]
    [InlineData("224.0.0.1", false)] // multicast
    [InlineData("239.255.255.250", false)]
    [InlineData("240.0.0.1", false)] // reserved
    [InlineData("255.255.255.255", false)] // broadcast
    // IPv6: public
    [InlineData("2606:4700:4700::1111", true)]
    [InlineData("2a00:1450:4001:82a::200e", true)]
    // IPv6: refused
    [InlineData("::", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)] // link-local
    [InlineData("fc00::1", false)] // unique local
    [InlineData("fd12:3456:789a::1", false)]
    [InlineData("fec0::1", false)] // site-local (deprecated)
    [InlineData("ff02::1", false)] // multicast
    [InlineData("2001:db8::1", false)] // documentation
    [InlineData("2001::1", false)] // Teredo
    [InlineData("2002:7f00:1::1", false)] // 6to4 carrying 127.0.0.1
    [InlineData("100::1", false)] // discard
    [InlineData("::127.0.0.1", false)] // IPv4-compatible (deprecated)
    // IPv6 carrying IPv4: judged by the IPv4 address
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("::ffff:10.1.2.3", false)]
    [InlineData("::ffff:169.254.169.254", false)]
    [InlineData("::ffff:8.8.8.8", true)]
    [InlineData("64:ff9b::7f00:1", false)] // NAT64 of 127.0.0.1
    [InlineData("64:ff9b::808:808", true)] // NAT64 of 8.8.8.8
    public void Only_hosts_on_the_public_internet_are_public(string address, bool isPublic) =>
        Assert.Equal(isPublic, PublicAddresses.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("notes.example.invalid", true)]
    [InlineData("INVALID", true)]
    [InlineData("chat.example.test.", true)]
    [InlineData("files.example", true)]
    [InlineData("example.com", false)]
    [InlineData("invalid.example.com", false)]
    [InlineData("tester", false)]
    [InlineData("localhost", false)] // resolved by the machine itself, and refused as loopback unless allowed
    public void Names_reserved_never_to_exist_are_not_looked_up(string host, bool reserved) =>
        Assert.Equal(reserved, PublicAddresses.IsReservedName(host));

    [Fact]
    public void An_allowed_network_opens_only_itself()
    {
        IPNetwork[] allowed = [IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("10.20.0.0/16")];

        Assert.True(PublicAddresses.MayConnect(IPAddress.Parse("127.0.0.1"), allowed));
        Assert.True(PublicAddresses.MayConnect(IPAddress.Parse("::ffff:127.0.0.1"), allowed));
        Assert.True(PublicAddresses.MayConnect(IPAddress.Parse("10.20.3.4"), allowed));
        Assert.False(PublicAddresses.MayConnect(IPAddress.Parse("10.21.0.1"), allowed));
        Assert.False(PublicAddresses.MayConnect(IPAddress.Parse("::1"), allowed));
        Assert.False(PublicAddresses.MayConnect(IPAddress.Parse("169.254.169.254"), allowed));
        Assert.True(PublicAddresses.MayConnect(IPAddress.Parse("8.8.8.8"), []));
    }
}
