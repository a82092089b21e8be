using System;
using System.Collections.Generic;
using System.Net.Sockets;
using System.Text;

namespace IpvsTools.KubeProxy.IpvsMode;

/// <summary>One of kube-proxy's sets as the desired state wants it: name for its family, type, comment and members (the planner compares it with a <c>KubeActualIpset</c> read from the kernel).</summary>
public sealed class KubeDesiredIpset
{
    /// <summary>A set.</summary>
    public KubeDesiredIpset(string name, string type, AddressFamily family, string comment, IReadOnlyList<string> members)
    {
        Name = name;
        Type = type;
        AddressFamily = family;
        Comment = comment;
        Members = members;
    }

    /// <summary>KUBE-CLUSTER-IP, KUBE-6-CLUSTER-IP...</summary>
    public string Name { get; }

    /// <summary>hash:ip,port, bitmap:port...</summary>
    public string Type { get; }

    /// <summary>The family of the proxier that owns it.</summary>
    public AddressFamily AddressFamily { get; }

    /// <summary>"inet" or "inet6" (what `ipset create ... family` takes; bitmap:port has none).</summary>
    public string? Family => Type.StartsWith("bitmap:", StringComparison.Ordinal) ? null : AddressFamily == AddressFamily.InterNetworkV6 ? "inet6" : "inet";

    /// <summary>kube-proxy's comment for the set (used in its iptables rules).</summary>
    public string Comment { get; }

    /// <summary>hashsize kube-proxy creates hash sets with (1024); null for bitmap:port.</summary>
    public uint? HashSize => Family is null ? null : 1024u;

    /// <summary>maxelem kube-proxy creates hash sets with (65536); null for bitmap:port.</summary>
    public uint? MaxElements => Family is null ? null : 65536u;

    /// <summary>The range of a bitmap:port set ("0-65535"); null for hash sets.</summary>
    public string? Range => Family is null ? "0-65535" : null;

    /// <summary>`ipset restore` input that creates the set and adds its members, as kube-proxy would leave it.</summary>
    public string RestoreText()
    {
        var text = new StringBuilder("create ").Append(Name).Append(' ').Append(Type);
        text.Append(Family is null ? " range " + Range : $" family {Family} hashsize {HashSize} maxelem {MaxElements}").Append('\n');
        foreach (var m in Members) text.Append("add ").Append(Name).Append(' ').Append(m).Append('\n');
        return text.ToString();
    }

    /// <summary>The members as kube-proxy writes them ("10.96.0.10,udp:53"), sorted ordinally.</summary>
    public IReadOnlyList<string> Members { get; }

    /// <summary>The name.</summary>
    public override string ToString() => Name;
}
