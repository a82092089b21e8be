using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Ipvs;

namespace IpvsTools.KubeProxy;

/// <summary>
/// Gathers the front ends a reader finds, one per (family, protocol, address, port): a second rule or map entry
/// for a front end already seen adds what it knows (a kind, a name, endpoints) instead of making a second object.
/// </summary>
internal sealed class KubeProxyServiceBuilder
{
    private readonly KubeProxyMode _mode;
    private readonly string? _networkNamespace;
    private readonly Dictionary<(IpvsProtocol, IPAddress, ushort), Entry> _entries = new();
    private readonly List<Entry> _order = new();

    public KubeProxyServiceBuilder(KubeProxyMode mode, string? networkNamespace)
    {
        _mode = mode;
        _networkNamespace = networkNamespace;
    }

    /// <summary>Probabilities are rounded to this many digits, so that 10-decimal iptables values and exact
    /// nftables shares of the same split compare equal.</summary>
    public const int ProbabilityDigits = 6;

    public static IPAddress AnyAddress(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;

    /// <summary>Adds or completes a front end. A kind already known is kept unless it is the vaguer External;
    /// endpoints and affinity are taken from the first call that has them.</summary>
    public void Add(IpvsProtocol protocol, IPAddress address, ushort port, KubeProxyServiceKind kind, string? service, string? portName,
        IReadOnlyList<KubeProxyEndpoint>? endpoints, TimeSpan? affinity)
    {
        var key = (protocol, address, port);
        if (!_entries.TryGetValue(key, out var entry))
        {
            entry = new Entry(protocol, address, port, kind);
            _entries.Add(key, entry);
            _order.Add(entry);
        }
        else if (entry.Kind == KubeProxyServiceKind.External && kind != KubeProxyServiceKind.External)
        {
            entry.Kind = kind;
        }
        entry.Service ??= service;
        entry.PortName ??= portName;
        if (entry.Endpoints is null && endpoints is not null) entry.Endpoints = endpoints;
        entry.Affinity ??= affinity;
    }

    /// <summary>The front ends in a stable order whatever order the rules or map elements came in: by Service and
    /// port name, then kind, family, address and port.</summary>
    public List<KubeProxyService> Build()
    {
        var list = new List<KubeProxyService>(_order.Count);
        foreach (var e in _order)
            list.Add(new KubeProxyService(_mode, e.Protocol, e.Address, e.Port, e.Kind, e.Service, e.PortName ?? "", e.Endpoints, e.Affinity, _networkNamespace));
        list.Sort(Compare);
        return list;
    }

    private static int Compare(KubeProxyService a, KubeProxyService b)
    {
        var c = string.CompareOrdinal(a.Service, b.Service);
        if (c == 0) c = string.CompareOrdinal(a.PortName, b.PortName);
        if (c == 0) c = a.Kind.CompareTo(b.Kind);
        if (c == 0) c = a.AddressFamily.CompareTo(b.AddressFamily);
        if (c == 0) c = a.Address.GetAddressBytes().AsSpan().SequenceCompareTo(b.Address.GetAddressBytes());
        if (c == 0) c = a.Port.CompareTo(b.Port);
        if (c == 0) c = a.Protocol.CompareTo(b.Protocol);
        return c;
    }

    /// <summary>Splits 'ns/name:port' (or 'ns/name' for an unnamed port) into the Service and the port name.</summary>
    public static (string? Service, string PortName) SplitServicePortName(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.IndexOf('/') <= 0) return (null, "");
        var colon = text.IndexOf(':');
        return colon < 0 ? (text, "") : (text.Substring(0, colon), text.Substring(colon + 1));
    }

    public static IpvsProtocol? ParseProtocol(string? text) => text?.ToLowerInvariant() switch
    {
        "tcp" => IpvsProtocol.Tcp,
        "udp" => IpvsProtocol.Udp,
        "sctp" => IpvsProtocol.Sctp,
        _ => null,
    };

    private sealed class Entry
    {
        public Entry(IpvsProtocol protocol, IPAddress address, ushort port, KubeProxyServiceKind kind)
        {
            Protocol = protocol;
            Address = address;
            Port = port;
            Kind = kind;
        }

        public IpvsProtocol Protocol { get; }
        public IPAddress Address { get; }
        public ushort Port { get; }
        public KubeProxyServiceKind Kind { get; set; }
        public string? Service { get; set; }
        public string? PortName { get; set; }
        public IReadOnlyList<KubeProxyEndpoint>? Endpoints { get; set; }
        public TimeSpan? Affinity { get; set; }
    }
}
