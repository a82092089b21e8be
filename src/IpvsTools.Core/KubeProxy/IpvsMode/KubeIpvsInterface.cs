using System;
using System.Collections.Generic;
using IpvsTools.Links;
using IpvsTools.Namespaces;

namespace IpvsTools.KubeProxy.IpvsMode;

/// <summary>
/// kube-proxy's dummy interface (kube-ipvs0) with its addresses: every ClusterIP, and every
/// ExternalIP and LoadBalancer IP not already on another interface, as /32 or /128. kube-proxy
/// leaves it administratively down; the addresses are local all the same.
/// </summary>
public sealed class KubeIpvsInterface
{
    /// <summary>The name of the dummy link kube-proxy in IPVS mode puts every service address on.</summary>
    public const string LinkName = "kube-ipvs0";

    public KubeIpvsInterface(NetworkLink link, IReadOnlyList<InterfaceAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(link);
        Name = link.Name;
        Index = link.Index;
        Kind = link.Kind;
        IsUp = link.IsUp;
        OperationalState = link.OperationalState;
        Mtu = link.Mtu;
        MacAddress = link.MacAddress;
        Addresses = addresses ?? Array.Empty<InterfaceAddress>();
        NetworkNamespace = link.NetworkNamespace;
    }

    public string Name { get; }
    public int Index { get; }

    /// <summary>"dummy" for the interface kube-proxy creates.</summary>
    public string? Kind { get; }

    public bool IsDummy => Kind == "dummy";

    /// <summary>Administratively up; kube-proxy creates it down and leaves it down.</summary>
    public bool IsUp { get; }

    public LinkOperationalState OperationalState { get; }
    public uint? Mtu { get; }
    public string? MacAddress { get; }

    /// <summary>The addresses on the interface, IPv4 and IPv6, in the kernel's order.</summary>
    public IReadOnlyList<InterfaceAddress> Addresses { get; }

    public int AddressCount => Addresses.Count;

    public string? NetworkNamespace { get; }

    public override string ToString() => $"{Name} ({Addresses.Count} address{(Addresses.Count == 1 ? "" : "es")})";
}
