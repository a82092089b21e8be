using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Netlink;
using IpvsTools.Links;
using IpvsTools.Namespaces;

namespace IpvsTools.KubeProxy;

/// <summary>
/// The node addresses kube-proxy in IPVS mode makes a NodePort virtual server for (kubernetes
/// pkg/proxy/ipvs: GetAllLocalAddressesExcept, isValidForSet; pkg/proxy/util NodePortAddresses):
/// without --nodeport-addresses (or with 0.0.0.0/0, ::/0), every address of the family on every
/// interface except kube-ipvs0, without loopback and IPv6 link-local addresses; with CIDRs, every
/// address of any interface (kube-ipvs0 included) inside one of them, without loopback.
/// </summary>
internal static class KubeProxyNodeAddresses
{
    /// <summary>Reads the links and addresses of a namespace and selects the NodePort addresses.</summary>
    public static IReadOnlyList<IPAddress> Read(AddressFamily family, IEnumerable<string>? nodePortAddresses = null, NetworkNamespace? ns = null,
        string dummyName = LinkClient.KubeIpvsInterfaceName)
    {
        var cidrs = ParseCidrs(nodePortAddresses);
        IReadOnlyList<NetworkLink> links;
        using (var linkClient = LinkClient.Open(ns)) links = linkClient.List();
        IReadOnlyList<InterfaceAddress> addresses;
        using (var addressClient = AddressClient.Open(ns)) addresses = addressClient.List();
        return Select(addresses, links, family, cidrs, dummyName);
    }

    /// <summary>The selection itself, on addresses and links already read.</summary>
    /// <param name="cidrs">--nodeport-addresses as parsed by <see cref="ParseCidrs"/>; null or empty: all.</param>
    public static IReadOnlyList<IPAddress> Select(IEnumerable<InterfaceAddress> addresses, IEnumerable<NetworkLink> links, AddressFamily family,
        IReadOnlyList<(IPAddress Network, int PrefixLength)>? cidrs = null, string dummyName = LinkClient.KubeIpvsInterfaceName)
    {
        if (family is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            throw new IpvsToolsException($"{family} is not IPv4 (InterNetwork) or IPv6 (InterNetworkV6).", FailureKind.InvalidArgument);
        var names = links.ToDictionary(l => l.Index, l => l.Name);
        var ofFamily = (cidrs ?? Array.Empty<(IPAddress, int)>()).Where(c => c.Item1.AddressFamily == family).ToList();
        // kube-proxy keeps only the CIDRs of its family; none left, or a zero CIDR, means every address.
        var matchAll = ofFamily.Count == 0 || ofFamily.Any(c => c.Item2 == 0);
        var result = new Dictionary<string, IPAddress>();
        foreach (var a in addresses)
        {
            var ip = a.Address;
            if (ip.AddressFamily != family) continue;
            if (matchAll)
            {
                if (names.TryGetValue(a.InterfaceIndex, out var name) && name == dummyName) continue;
                if (IPAddress.IsLoopback(ip) || (family == AddressFamily.InterNetworkV6 && ip.IsIPv6LinkLocal)) continue;
            }
            else
            {
                if (!ofFamily.Any(c => Contains(c.Item1, c.Item2, ip)) || IPAddress.IsLoopback(ip)) continue;
            }
            result[ip.ToString()] = ip;
        }
        return result.Values.OrderBy(ip => ip.GetAddressBytes(), ByteOrder.Instance).ToList();
    }

    /// <summary>
    /// Parses --nodeport-addresses entries (a.b.c.d/n, x::y/n; host bits are ignored as kube-proxy
    /// ignores them). Anything else is refused before anything is read.
    /// </summary>
    public static IReadOnlyList<(IPAddress Network, int PrefixLength)> ParseCidrs(IEnumerable<string>? cidrs)
    {
        var list = new List<(IPAddress, int)>();
        if (cidrs is null) return list;
        foreach (var text in cidrs)
        {
            var slash = text?.IndexOf('/') ?? -1;
            if (text is null || slash < 0 || !IPAddress.TryParse(text.AsSpan(0, slash), out var address)
                || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix)
                || prefix > (address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32))
                throw new IpvsToolsException($"'{text}' is not a CIDR such as 192.168.0.0/16 or fd00::/64 (kube-proxy's keyword 'primary' is not supported here: give the node address with /32 or /128).",
                    FailureKind.InvalidArgument);
            list.Add((Mask(address, prefix), prefix));
        }
        return list;
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        return new IPAddress(bytes);
    }

    private static bool Contains(IPAddress network, int prefix, IPAddress ip)
        => ip.AddressFamily == network.AddressFamily && Mask(ip, prefix).Equals(network);

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y)
        {
            for (var i = 0; i < Math.Min(x!.Length, y!.Length); i++)
            {
                if (x[i] != y[i]) return x[i].CompareTo(y[i]);
            }
            return x.Length.CompareTo(y.Length);
        }
    }
}
