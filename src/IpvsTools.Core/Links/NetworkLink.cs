using IpvsTools.Namespaces;
namespace IpvsTools.Links;

/// <summary>RFC 2863 operational state of a link, as the kernel reports it (IFLA_OPERSTATE).</summary>
public enum LinkOperationalState
{
    Unknown = 0,
    NotPresent = 1,
    Down = 2,
    LowerLayerDown = 3,
    Testing = 4,
    Dormant = 5,
    Up = 6,
}

/// <summary>A network interface as rtnetlink lists it (what `ip -d link` shows).</summary>
public sealed class NetworkLink
{
    public NetworkLink(int index, string name, string? kind, uint flags, LinkOperationalState operationalState, uint? mtu,
        string? macAddress, string? networkNamespace)
    {
        Index = index;
        Name = name;
        Kind = kind;
        Flags = flags;
        OperationalState = operationalState;
        Mtu = mtu;
        MacAddress = macAddress;
        NetworkNamespace = networkNamespace;
    }

    public int Index { get; }
    public string Name { get; }

    /// <summary>The link type (dummy, veth, bridge...); null for a physical device or loopback.</summary>
    public string? Kind { get; }

    /// <summary>The IFF_* flags.</summary>
    public uint Flags { get; }

    /// <summary>Administratively up (IFF_UP), what `ip link set NAME up` sets. kube-proxy leaves kube-ipvs0 down.</summary>
    public bool IsUp => (Flags & 0x1) != 0;

    public bool IsLoopback => (Flags & 0x8) != 0;

    public LinkOperationalState OperationalState { get; }
    public uint? Mtu { get; }

    /// <summary>The link-layer address as `ip link` prints it (aa:bb:cc:dd:ee:ff).</summary>
    public string? MacAddress { get; }

    public string? NetworkNamespace { get; }

    public override string ToString() => $"{Index}: {Name}";
}
