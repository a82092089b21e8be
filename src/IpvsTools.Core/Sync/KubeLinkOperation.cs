using System.Net;
using System.Net.Sockets;
using IpvsTools.Links;

using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.Sync;

/// <summary>A write to kube-ipvs0: create or delete the dummy link, add or remove one of its addresses.</summary>
public sealed class KubeLinkOperation : KubeIpvsOperation
{
    private KubeLinkOperation(KubeIpvsOperationKind kind, IPAddress? address) : base(kind, null) => Address = address;

    /// <summary>The address, /32 or /128 (AddAddress, RemoveAddress); null for the link itself.</summary>
    public IPAddress? Address { get; }

    /// <inheritdoc/>
    public override KubeIpvsLayer Layer => KubeIpvsLayer.Link;

    /// <inheritdoc/>
    public override string Target => KubeIpvsInterface.LinkName;

    /// <summary>The address with its host prefix: "10.96.0.10/32", "fd00::10/128".</summary>
    internal string Prefix => Address + (Address!.AddressFamily == AddressFamily.InterNetworkV6 ? "/128" : "/32");

    /// <summary>The host prefix length of <see cref="Address"/>.</summary>
    internal byte PrefixLength => (byte)(Address!.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32);

    internal static KubeLinkOperation CreateDummyLink() => new(KubeIpvsOperationKind.CreateDummyLink, null);

    internal static KubeLinkOperation DeleteDummyLink() => new(KubeIpvsOperationKind.DeleteDummyLink, null);

    internal static KubeLinkOperation AddAddress(IPAddress a) => new(KubeIpvsOperationKind.AddAddress, a);

    internal static KubeLinkOperation RemoveAddress(IPAddress a) => new(KubeIpvsOperationKind.RemoveAddress, a);

    private protected override string Describe() => Kind switch
    {
        KubeIpvsOperationKind.CreateDummyLink => "create dummy link kube-ipvs0 (down)",
        KubeIpvsOperationKind.DeleteDummyLink => "delete dummy link kube-ipvs0",
        KubeIpvsOperationKind.AddAddress => $"add address {Prefix} to kube-ipvs0",
        _ => $"remove address {Prefix} from kube-ipvs0",
    };
}
