using System;
using System.Collections.Generic;
using IpvsTools.Iptables;
using IpvsTools.Namespaces;

namespace IpvsTools.KubeProxy.IpvsMode;

/// <summary>What a check is about: a KUBE-* chain, a jump from a built-in chain into one, or a rule.</summary>
public enum KubeIptablesCheckKind
{
    Chain = 0,
    Jump = 1,
    Rule = 2,
}

/// <summary>The outcome of one check of kube-proxy's iptables rules.</summary>
public enum KubeIptablesCheckStatus
{
    /// <summary>There, as kube-proxy writes it.</summary>
    Present = 0,

    /// <summary>kube-proxy would have it (always, or because its ipset has members), and it is not there.</summary>
    Missing = 1,

    /// <summary>kube-proxy writes it only while its ipset has members; the set is empty and the rule is absent, as it should be.</summary>
    NotRequired = 2,

    /// <summary>Its ipset is empty, so kube-proxy would have removed it at its last sync, yet it is there.</summary>
    Stale = 3,

    /// <summary>Written only while its ipset has members, and absent; whether the set has members was not known.</summary>
    Unknown = 4,
}

/// <summary>
/// One thing kube-proxy in IPVS mode keeps in iptables (pkg/proxy/ipvs/proxier.go), and whether the
/// rules that were read have it. <see cref="ToString"/>: <c>Missing nat KUBE-SERVICES: -s 127.0.0.0/8 -j RETURN</c>.
/// </summary>
public sealed class KubeIptablesCheck
{
    public KubeIptablesCheck(IptablesFamily family, IptablesBackend backend, KubeIptablesCheckKind kind, string table, string chain,
        string? rule, string purpose, IReadOnlyList<string>? sets, string? conditionSet, KubeIptablesCheckStatus status,
        int? position, string? networkNamespace = null)
    {
        Family = family;
        Backend = backend;
        Kind = kind;
        Table = table;
        Chain = chain;
        Rule = rule;
        Purpose = purpose;
        Sets = sets ?? Array.Empty<string>();
        ConditionSet = conditionSet;
        Status = status;
        Position = position;
        NetworkNamespace = networkNamespace;
    }

    public IptablesFamily Family { get; }

    /// <summary>The backend the rules were read through.</summary>
    public IptablesBackend Backend { get; }

    public KubeIptablesCheckKind Kind { get; }
    public string Table { get; }

    /// <summary>The chain that is checked, or that holds the jump or rule.</summary>
    public string Chain { get; }

    /// <summary>The rule as iptables-save prints it (after <c>-A CHAIN</c>); null for a chain.</summary>
    public string? Rule { get; }

    /// <summary>What it is for, in words.</summary>
    public string Purpose { get; }

    /// <summary>The ipsets the rule matches against.</summary>
    public IReadOnlyList<string> Sets { get; }

    /// <summary>The ipset whose members make kube-proxy write the rule; null when it is always written.</summary>
    public string? ConditionSet { get; }

    public KubeIptablesCheckStatus Status { get; }

    /// <summary>True for Present, NotRequired; false for Missing, Stale; null for Unknown.</summary>
    public bool? IsCompliant => Status switch
    {
        KubeIptablesCheckStatus.Present or KubeIptablesCheckStatus.NotRequired => true,
        KubeIptablesCheckStatus.Missing or KubeIptablesCheckStatus.Stale => false,
        _ => null,
    };

    /// <summary>The position of the rule or jump found in its chain; null when not found.</summary>
    public int? Position { get; }

    public string? NetworkNamespace { get; }

    public override string ToString() => $"{Status} {Table} {Chain}" + (Rule is null ? "" : ": " + Rule);
}
