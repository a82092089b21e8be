using System;
using IpvsTools.Namespaces;

namespace IpvsTools.Sync;

/// <summary>How a kernel write of a sync ended.</summary>
public enum KubeIpvsChangeOutcome
{
    /// <summary>The kernel (or the iptables tool) accepted it.</summary>
    Applied = 0,

    /// <summary>It was refused; the sync stopped here.</summary>
    Failed = 1,
}

/// <summary>
/// One kernel write a sync made: the planned operation and how it ended. Sync-KubeIpvs and
/// Remove-KubeIpvs write one per operation, in the order made.
/// </summary>
public sealed class KubeIpvsChange
{
    /// <summary>A change record.</summary>
    public KubeIpvsChange(int index, int total, KubeIpvsOperation operation, KubeIpvsChangeOutcome outcome, string? error = null,
        int? conntrackEntriesDeleted = null, string? warning = null, string? networkNamespace = null)
    {
        ArgumentNullException.ThrowIfNull(operation);
        Index = index;
        Total = total;
        Operation = operation;
        Outcome = outcome;
        Error = error;
        ConntrackEntriesDeleted = conntrackEntriesDeleted;
        Warning = warning;
        NetworkNamespace = networkNamespace;
    }

    /// <summary>The write's position in the plan, from 1.</summary>
    public int Index { get; }

    /// <summary>How many writes the plan has.</summary>
    public int Total { get; }

    /// <summary>The write.</summary>
    public KubeIpvsOperation Operation { get; }

    /// <summary>The part of the node it changed.</summary>
    public KubeIpvsLayer Layer => Operation.Layer;

    /// <summary>What it did.</summary>
    public KubeIpvsOperationKind Kind => Operation.Kind;

    /// <summary>What it was about: "TCP 10.96.0.10:53", "KUBE-CLUSTER-IP", "kube-ipvs0".</summary>
    public string Target => Operation.Target;

    /// <summary>Applied or Failed.</summary>
    public KubeIpvsChangeOutcome Outcome { get; }

    /// <summary>The refusal in words (Failed); else null.</summary>
    public string? Error { get; }

    /// <summary>Connection-tracking entries cleared after a UDP/SCTP real server was removed; else null.</summary>
    public int? ConntrackEntriesDeleted { get; }

    /// <summary>Something that went wrong after the write itself succeeded (a conntrack clean-up); else null.</summary>
    public string? Warning { get; }

    /// <summary>The network namespace written; null for the process's own.</summary>
    public string? NetworkNamespace { get; }

    /// <summary>The write in words, e.g. "add virtual server TCP 10.96.0.10:53 rr".</summary>
    public override string ToString() => Operation.ToString();
}

/// <summary>A sync stopped at a write the kernel refused; the writes before it were made (a re-run converges).</summary>
public sealed class KubeIpvsApplyException : IpvsToolsException
{
    /// <summary>The failure of write <paramref name="index"/> of <paramref name="total"/>.</summary>
    public KubeIpvsApplyException(KubeIpvsOperation operation, int index, int total, IpvsToolsException inner)
        : base($"Write {index} of {total} ({operation}) failed: {inner.Message} The writes reported as applied were made and no later group of writes was started; a new sync re-reads the node and continues from there.",
            inner.Kind, inner)
    {
        Operation = operation;
        Index = index;
    }

    /// <summary>The refused write.</summary>
    public KubeIpvsOperation Operation { get; }

    /// <summary>Its position in the plan, from 1.</summary>
    public int Index { get; }
}
