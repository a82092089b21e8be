using IpvsTools.Namespaces;
namespace IpvsTools.Iptables;

/// <summary>A chain of a table: a built-in chain with its policy, or a user chain (policy null).</summary>
public sealed class IptablesChain
{
    public IptablesChain(IptablesFamily family, IptablesBackend backend, string table, string name, string? policy,
        ulong? packets, ulong? bytes, int ruleCount, string? networkNamespace = null)
    {
        Family = family;
        Backend = backend;
        Table = table;
        Name = name;
        Policy = policy;
        Packets = packets;
        Bytes = bytes;
        RuleCount = ruleCount;
        NetworkNamespace = networkNamespace;
    }

    public IptablesFamily Family { get; }
    public IptablesBackend Backend { get; }
    public string Table { get; }
    public string Name { get; }

    /// <summary>ACCEPT or DROP for a built-in chain; null for a user-defined chain (iptables-save prints "-").</summary>
    public string? Policy { get; }

    public bool IsBuiltIn => Policy is not null;

    /// <summary>The policy counters of a built-in chain (0 for user chains).</summary>
    public ulong? Packets { get; }

    public ulong? Bytes { get; }

    public int RuleCount { get; }
    public string? NetworkNamespace { get; }

    /// <summary>The chain line of iptables-save: <c>:KUBE-SERVICES - [0:0]</c>.</summary>
    public override string ToString() => $":{Name} {Policy ?? "-"} [{Packets ?? 0}:{Bytes ?? 0}]";
}
