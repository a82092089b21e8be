using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Iptables;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.AnyMode;
using IpvsTools.KubeProxy.NftablesMode;
using IpvsTools.Links;
using IpvsTools.Namespaces;

namespace IpvsTools.Diagnostics;

/// <summary>
/// The node state Test-ServiceReachability reads in kube-proxy's iptables or nftables mode, once per run: the front
/// ends (the mode's reader, as Get-KubeProxyService gives them), the node's addresses, and on first use per IP family
/// the mode's hooks and no-endpoint rules (<see cref="ProxyModeRules"/>), the sysctls and conntrack. A part that cannot
/// be read is kept as the reason, so the checks that need it report "not tested" instead of failing.
/// </summary>
public sealed class ProxyModeNode
{
    private readonly Dictionary<AddressFamily, (ProxyModeRules? Rules, string? Error)> _rules = new();
    private (IReadOnlyList<ConntrackEntry>? Entries, string? Error)? _conntrack;

    private ProxyModeNode(KubeProxyMode mode, NetworkNamespace? ns, IptablesBackend? backend) => (Mode, Namespace, Backend) = (mode, ns, backend);

    /// <summary>Iptables or Nftables.</summary>
    public KubeProxyMode Mode { get; }
    public NetworkNamespace? Namespace { get; }
    public IptablesBackend? Backend { get; }

    /// <summary>The front ends of the mode; null when they could not be read (<see cref="ServicesError"/>).</summary>
    public IReadOnlyList<KubeProxyService>? Services { get; private set; }
    public string? ServicesError { get; private set; }

    /// <summary>Every address of the namespace with its link's name and scope (0 global, 253 link, 254 host).</summary>
    public IReadOnlyList<(IPAddress Address, string Link, byte Scope)> Addresses { get; private set; } = Array.Empty<(IPAddress, string, byte)>();

    /// <summary>Reads the front ends and addresses of <paramref name="ns"/> in <paramref name="mode"/> (Iptables or Nftables).</summary>
    public static ProxyModeNode Read(KubeProxyMode mode, NetworkNamespace? ns, IptablesBackend? backend = null)
    {
        if (mode is not (KubeProxyMode.Iptables or KubeProxyMode.Nftables)) throw new ArgumentOutOfRangeException(nameof(mode));
        var node = new ProxyModeNode(mode, ns, backend);
        IReadOnlyList<NetworkLink> links;
        using (var client = LinkClient.Open(ns)) links = client.List();
        using (var client = AddressClient.Open(ns))
            node.Addresses = client.List().Select(a => (a.Address, links.FirstOrDefault(l => l.Index == a.InterfaceIndex)?.Name ?? "#" + a.InterfaceIndex, a.Scope)).ToList();
        try
        {
            node.Services = KubeProxyServiceReader.Read(mode, ns, backend);
        }
        catch (IpvsToolsException ex) when (ex.Kind != FailureKind.PermissionDenied)
        {
            node.ServicesError = ex.Message;
        }
        return node;
    }

    /// <summary>The front end with this protocol, address (0.0.0.0 or :: for a node port) and port, or null.</summary>
    public KubeProxyService? FrontEnd(Ipvs.IpvsProtocol protocol, IPAddress address, ushort port)
        => Services?.FirstOrDefault(s => s.Protocol == protocol && s.Port == port && s.Address.Equals(address));

    /// <summary>The mode's hooks and no-endpoint rules for the family (read on first use); null with the reason when unreadable.</summary>
    public (ProxyModeRules? Rules, string? Error) Rules(AddressFamily family)
    {
        if (_rules.TryGetValue(family, out var known)) return known;
        try
        {
            var rules = Mode == KubeProxyMode.Iptables
                ? ProxyModeRules.FromIptables(IptablesClient.Open(family == AddressFamily.InterNetworkV6 ? IptablesFamily.IPv6 : IptablesFamily.IPv4, Backend, Namespace).Read())
                : ProxyModeRules.FromNftables(NftablesModeReader.ListTable(family == AddressFamily.InterNetworkV6 ? "ip6" : "ip", Namespace), family);
            known = (rules, null);
        }
        catch (IpvsToolsException ex) when (ex.Kind != FailureKind.PermissionDenied)
        {
            known = (null, ex.Message);
        }
        return _rules[family] = known;
    }

    /// <summary>
    /// The node address to probe a node port on (its front end's Address is 0.0.0.0 or ::), and why it was chosen:
    /// an address of nftables' nodeport-ips that is on the node, else a global address of the node's links (not loopback or link-local), else null.
    /// </summary>
    public (IPAddress? Address, string Why) NodePortAddress(AddressFamily family)
    {
        var (rules, _) = Rules(family);
        var local = Addresses.Where(a => a.Address.AddressFamily == family).ToList();
        if (rules?.NodePortAddresses is { } accepted)
        {
            var on = accepted.FirstOrDefault(a => local.Any(l => l.Address.Equals(a)));
            if (on is not null) return (on, $"a node address in nodeport-ips, on {local.First(l => l.Address.Equals(on)).Link}");
            return (null, accepted.Count == 0
                ? "the nodeport-ips set is empty: kube-proxy takes node ports on no address"
                : $"no address of nodeport-ips ({string.Join(", ", accepted)}) is on the node");
        }
        var global = local.FirstOrDefault(a => a.Scope == 0 && !IPAddress.IsLoopback(a.Address) && !IsLinkLocal(a.Address));
        if (global.Address is not null) return (global.Address, $"a node address, on {global.Link} (the rules take node ports on every local address)");
        return (null, "the node has no global address to take node ports on");
    }

    private static bool IsLinkLocal(IPAddress address)
        => address.IsIPv6LinkLocal || (address.AddressFamily == AddressFamily.InterNetwork && address.GetAddressBytes() is [169, 254, _, _]);

    /// <summary>A sysctl of the namespace (/proc/sys/PATH, read on a thread inside it); null when it does not exist.</summary>
    public string? Sysctl(string path)
    {
        string? Here()
        {
            try
            {
                return File.ReadAllText("/proc/sys/" + path).Trim();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
        return Namespace is null ? Here() : Namespace.Run(Here);
    }

    /// <summary>The conntrack table (read on first use); null entries with a reason when there is none.</summary>
    public (IReadOnlyList<ConntrackEntry>? Entries, string? Error) Conntrack() => _conntrack ??= ConntrackTable.ReadOrReason(Namespace);
}
