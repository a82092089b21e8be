using IpvsTools.Namespaces;
namespace IpvsTools.Sync;

/// <summary>The kind of item that differs.</summary>
public enum KubeIpvsDifferenceKind
{
    /// <summary>The kube-ipvs0 dummy link.</summary>
    DummyLink = 0,

    /// <summary>An address on kube-ipvs0.</summary>
    Address = 1,

    /// <summary>An ipset (missing, or of the wrong type).</summary>
    Set = 2,

    /// <summary>A member of an ipset.</summary>
    SetMember = 3,

    /// <summary>A virtual server of the cluster.</summary>
    VirtualServer = 4,

    /// <summary>A real server.</summary>
    Destination = 5,

    /// <summary>One of kube-proxy's iptables chains (missing, or its rules differ).</summary>
    Chain = 6,

    /// <summary>A jump from a built-in chain into kube-proxy's chains.</summary>
    Jump = 7,

    /// <summary>A virtual server that is not the cluster's (kube-proxy would delete it; a sync leaves it unless -IncludeForeign).</summary>
    ForeignVirtualServer = 8,
}

/// <summary>What a sync would do about a difference.</summary>
public enum KubeIpvsDifferenceAction
{
    /// <summary>Create it.</summary>
    Add = 0,

    /// <summary>Change it in place.</summary>
    Change = 1,

    /// <summary>Delete it.</summary>
    Remove = 2,

    /// <summary>Delete it and create it anew (a set of the wrong type; an endpoint back while draining).</summary>
    Recreate = 3,

    /// <summary>Set the real server's weight to 0 and remove it once its connections end.</summary>
    Drain = 4,

    /// <summary>Nothing: left alone (a foreign virtual server without -IncludeForeign).</summary>
    None = 5,
}

/// <summary>
/// One difference between a node and what kube-proxy's IPVS mode would program (Compare-KubeIpvs):
/// the item, what is expected and what is there (null: absent), and what a sync would do.
/// </summary>
public sealed class KubeIpvsDifference
{
    /// <summary>A difference.</summary>
    public KubeIpvsDifference(KubeIpvsLayer layer, KubeIpvsDifferenceKind kind, string key, string? expected, string? actual, KubeIpvsDifferenceAction action,
        string? servicePort = null, string? networkNamespace = null)
    {
        Layer = layer;
        Kind = kind;
        Key = key;
        Expected = expected;
        Actual = actual;
        Action = action;
        ServicePort = servicePort;
        NetworkNamespace = networkNamespace;
    }

    /// <summary>The part of the node.</summary>
    public KubeIpvsLayer Layer { get; }

    /// <summary>The kind of item.</summary>
    public KubeIpvsDifferenceKind Kind { get; }

    /// <summary>The item: "TCP 10.96.0.10:53", "TCP 10.96.0.10:53 -> 10.244.0.5:53", "KUBE-CLUSTER-IP 10.96.0.10,tcp:53", "10.96.0.10/32", "iptables nat/KUBE-SERVICES".</summary>
    public string Key { get; }

    /// <summary>What kube-proxy would have; null when it would not have the item.</summary>
    public string? Expected { get; }

    /// <summary>What the node has; null when the item is absent.</summary>
    public string? Actual { get; }

    /// <summary>What a sync would do.</summary>
    public KubeIpvsDifferenceAction Action { get; }

    /// <summary>The Service port the item serves ("ns/name:port"), for virtual and real servers; else null.</summary>
    public string? ServicePort { get; }

    /// <summary>The network namespace compared; null for the process's own.</summary>
    public string? NetworkNamespace { get; }

    /// <summary>"VirtualServer TCP 10.96.0.10:53: expected rr, actual wrr (Change)".</summary>
    public override string ToString() => $"{Kind} {Key}: expected {Expected ?? "(none)"}, actual {Actual ?? "(none)"} ({Action})";
}
