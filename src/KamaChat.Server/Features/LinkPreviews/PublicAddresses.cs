using System.Net;
using System.Net.Sockets;

namespace KamaChat.Server.Features.LinkPreviews;

/// <summary>
/// Which addresses a link preview may connect to: the public internet only. Everything a server can reach that its
/// users cannot (loopback, private and link-local networks, CGNAT, the cloud metadata address) and everything that is
/// not a host (unspecified, multicast, broadcast, documentation and reserved ranges) is refused, in IPv4 and IPv6, and
/// an IPv6 address that carries an IPv4 one (mapped, NAT64) is judged by the IPv4 address it carries.
/// </summary>
public static class PublicAddresses
{
    private static readonly IPNetwork[] RefusedV4 =
    [
        IPNetwork.Parse("0.0.0.0/8"), // "this network", unspecified
        IPNetwork.Parse("10.0.0.0/8"),
        IPNetwork.Parse("100.64.0.0/10"), // CGNAT
        IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"), // link-local, cloud metadata
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.0.0.0/24"), // IETF protocol assignments
        IPNetwork.Parse("192.0.2.0/24"), // documentation
        IPNetwork.Parse("192.88.99.0/24"), // 6to4 relay anycast (deprecated)
        IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("198.18.0.0/15"), // benchmarking
        IPNetwork.Parse("198.51.100.0/24"), // documentation
        IPNetwork.Parse("203.0.113.0/24"), // documentation
        IPNetwork.Parse("224.0.0.0/4"), // multicast
        IPNetwork.Parse("240.0.0.0/4"), // reserved, and 255.255.255.255
    ];

    /// <summary>Global unicast is 2000::/3; inside it, these are not hosts on the internet (or carry an address judged apart).</summary>
    private static readonly IPNetwork GlobalUnicastV6 = IPNetwork.Parse("2000::/3");

    private static readonly IPNetwork[] RefusedV6 =
    [
        IPNetwork.Parse("2001::/23"), // IETF protocol assignments, Teredo
        IPNetwork.Parse("2001:db8::/32"), // documentation
        IPNetwork.Parse("2002::/16"), // 6to4: an IPv4 address of the sender's choosing inside
        IPNetwork.Parse("3fff::/20"), // documentation
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");

    /// <summary>True when <paramref name="address"/> is a host on the public internet.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            return IsPublic(address.MapToIPv4());
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return !Array.Exists(RefusedV4, n => n.Contains(address));
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return false;
        if (Nat64.Contains(address))
        {
            // The well-known NAT64 prefix reaches the IPv4 address in its last 32 bits.
            var bytes = address.GetAddressBytes();
            return IsPublic(new IPAddress(bytes.AsSpan(12, 4)));
        }
        // Loopback, unspecified, IPv4-compatible, link-local, site-local, unique local and multicast are all outside 2000::/3.
        return GlobalUnicastV6.Contains(address) && !Array.Exists(RefusedV6, n => n.Contains(address));
    }

    private static readonly string[] ReservedDomains = ["invalid", "test", "example"];

    /// <summary>
    /// Whether <paramref name="host"/> is under a top-level domain reserved never to exist on the internet (RFC 2606,
    /// RFC 6761: .invalid, .test, .example): there is nothing to ask a resolver, and asking would send the name out.
    /// </summary>
    public static bool IsReservedName(string host)
    {
        var name = host.TrimEnd('.');
        var dot = name.LastIndexOf('.');
        var top = dot < 0 ? name : name[(dot + 1)..];
        return Array.Exists(ReservedDomains, d => string.Equals(d, top, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Whether a preview may connect to <paramref name="address"/>: public, or inside a network the operator allowed.</summary>
    public static bool MayConnect(IPAddress address, IReadOnlyList<IPNetwork> allowed)
    {
        if (IsPublic(address))
            return true;
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var network in allowed)
        {
            if (network.Contains(plain))
                return true;
        }
        return false;
    }
}
