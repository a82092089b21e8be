using System.Net;
using IpvsTools.Namespaces;

namespace IpvsTools.Links;

/// <summary>An address configured on a network interface (what `ip -o addr` lists).</summary>
public sealed class InterfaceAddress
{
    public InterfaceAddress(int interfaceIndex, string? label, IPAddress address, byte prefixLength, byte scope, uint flags, string? networkNamespace)
    {
        InterfaceIndex = interfaceIndex;
        Label = label;
        Address = address;
        PrefixLength = prefixLength;
        Scope = scope;
        Flags = flags;
        NetworkNamespace = networkNamespace;
    }

    public int InterfaceIndex { get; }

    /// <summary>The IPv4 label (usually the interface name); null for IPv6.</summary>
    public string? Label { get; }

    public IPAddress Address { get; }
    public byte PrefixLength { get; }

    /// <summary>0 global, 253 link, 254 host.</summary>
    public byte Scope { get; }

    public uint Flags { get; }
    public string? NetworkNamespace { get; }

    public override string ToString() => $"{Address}/{PrefixLength}";
}
