namespace IpvsTools.Sync;

/// <summary>The part of the node an operation changes.</summary>
public enum KubeIpvsLayer
{
    /// <summary>The kube-ipvs0 dummy link and its addresses.</summary>
    Link = 0,

    /// <summary>ipsets and their members.</summary>
    Ipset = 1,

    /// <summary>IPVS virtual servers and real servers.</summary>
    Ipvs = 2,

    /// <summary>iptables and ip6tables rules.</summary>
    Iptables = 3,
}

/// <summary>What an operation does.</summary>
public enum KubeIpvsOperationKind
{
    /// <summary>Create the kube-ipvs0 dummy link (left down).</summary>
    CreateDummyLink = 0,

    /// <summary>Add an address (/32 or /128) to kube-ipvs0.</summary>
    AddAddress = 1,

    /// <summary>Remove an address from kube-ipvs0.</summary>
    RemoveAddress = 2,

    /// <summary>Create an ipset.</summary>
    CreateSet = 3,

    /// <summary>Destroy an ipset (only to re-create one of the wrong type).</summary>
    DestroySet = 4,

    /// <summary>Add a member to an ipset.</summary>
    AddSetMember = 5,

    /// <summary>Remove a member from an ipset.</summary>
    RemoveSetMember = 6,

    /// <summary>Create a virtual server.</summary>
    AddVirtualServer = 7,

    /// <summary>Change a virtual server's scheduler, flags, timeout or netmask.</summary>
    UpdateVirtualServer = 8,

    /// <summary>Delete a virtual server (and its real servers).</summary>
    RemoveVirtualServer = 9,

    /// <summary>Add a real server.</summary>
    AddDestination = 10,

    /// <summary>Change a real server's weight or forwarding (weight 0: draining).</summary>
    UpdateDestination = 11,

    /// <summary>Delete a real server.</summary>
    RemoveDestination = 12,

    /// <summary>Rewrite kube-proxy's chains of a family with `iptables-restore -w --noflush --counters` (<see cref="KubeIptablesOperation.RestoreInput"/>).</summary>
    RestoreIptables = 13,

    /// <summary>Insert a jump into a built-in chain (`iptables -w -t TABLE -I CHAIN ...`).</summary>
    InsertIptablesJump = 14,

    /// <summary>Delete the kube-ipvs0 dummy link (Remove-KubeIpvs).</summary>
    DeleteDummyLink = 15,

    /// <summary>
    /// Delete the jumps from built-in chains into kube-proxy's chains, then flush and delete those chains, with one
    /// `iptables-restore -w --noflush` per family (<see cref="KubeIptablesOperation.RestoreInput"/>; Remove-KubeIpvs).
    /// </summary>
    DeleteIptablesChains = 16,
}

/// <summary>
/// One kernel write of a plan, typed by the layer it changes: <see cref="KubeLinkOperation"/>,
/// <see cref="KubeIpsetOperation"/>, <see cref="KubeVirtualServerOperation"/> (IPVS) and
/// <see cref="KubeIptablesOperation"/>, each carrying what its clients take as it is (the applier parses
/// nothing). <see cref="ToString"/> prints it for people (-WhatIf, logs), e.g.
/// <c>add virtual server TCP 10.96.0.10:53 rr</c>.
/// </summary>
public abstract class KubeIpvsOperation
{
    private protected KubeIpvsOperation(KubeIpvsOperationKind kind, string? reason)
    {
        Kind = kind;
        Reason = reason;
    }

    /// <summary>What the operation does.</summary>
    public KubeIpvsOperationKind Kind { get; }

    /// <summary>The part of the node it changes.</summary>
    public abstract KubeIpvsLayer Layer { get; }

    /// <summary>Why, when it is not plain "missing" or "stale" (a drain, a changed scheduler...); else null.</summary>
    public string? Reason { get; }

    /// <summary>The object the operation is about, as a ShouldProcess target: "TCP 10.96.0.10:53", "KUBE-CLUSTER-IP", "kube-ipvs0".</summary>
    public abstract string Target { get; }

    /// <summary>The operation in words, without the reason.</summary>
    private protected abstract string Describe();

    /// <summary>The operation in words, e.g. "add virtual server TCP 10.96.0.10:53 rr".</summary>
    public sealed override string ToString()
    {
        var text = Describe();
        return Reason is null ? text : text + " (" + Reason + ")";
    }
}
