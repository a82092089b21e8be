using System;
using System.Collections.Generic;
using System.Linq;
using IpvsTools.Ipvs;

namespace IpvsTools.KubeProxy.Migration;

/// <summary>
/// Test-KubeProxyMigration's judgement over the facts of one node: which phase the node is in (before the switch:
/// IPVS mode's state and not the target mode's; after: the target mode's), then the checks of that phase. Before:
/// the kernel and nft for nftables mode, foreign virtual servers the cleanup flushes, and IPVS-only behaviour that
/// changes (schedulers, persistence, IPVS timeouts, strictARP, NodePorts on 127.0.0.1 or on secondary addresses, host
/// listeners reachable through ClusterIPs). After: the same kernel checks, and what IPVS mode left behind. Reads no
/// kernel state itself.
/// </summary>
public static class MigrationChecks
{
    /// <summary>The findings for <paramref name="facts"/>, in a fixed order (phase, kernel, IPVS behaviour, leftovers).</summary>
    public static IReadOnlyList<MigrationFinding> Evaluate(MigrationFacts facts, MigrationOptions options)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(options);
        if (options.TargetMode is not (KubeProxyMode.Nftables or KubeProxyMode.Iptables))
            throw new IpvsToolsException($"A migration goes to nftables or iptables mode, not {options.TargetMode}.", FailureKind.InvalidArgument);
        var context = new MigrationContext(facts, options);
        var findings = new List<MigrationFinding>();
        var after = facts.ModesFound.Contains(options.TargetMode);
        findings.Add(Phase(context, after));
        if (options.TargetMode == KubeProxyMode.Nftables) findings.AddRange(KernelChecks.Evaluate(context));
        findings.AddRange(IpvsBehaviourChecks.Foreign(context, after));
        if (!after) findings.AddRange(IpvsBehaviourChecks.Evaluate(context));
        else findings.AddRange(LeftoverChecks.Evaluate(context));
        return findings;
    }

    private static MigrationFinding Phase(MigrationContext c, bool after)
    {
        var target = ModeName(c.Options.TargetMode);
        var ipvs = c.Facts.ModesFound.Contains(KubeProxyMode.Ipvs);
        var found = c.Facts.ModesFound.Count == 0 ? "none" : string.Join(", ", c.Facts.ModesFound.Select(ModeName));
        if (after)
            return c.Finding("Phase", MigrationStatus.Pass, "After",
                $"{target} mode's state is on the node (kube-proxy data planes found: {found}): checking what IPVS mode left behind.", "");
        if (ipvs)
            return c.Finding("Phase", MigrationStatus.Pass, "Before",
                $"IPVS mode's state is on the node and {target} mode's is not: checking what the switch changes.", "");
        return c.Finding("Phase", MigrationStatus.Warning, "Unknown",
            $"No IPVS-mode state (kube-ipvs0, KUBE-CLUSTER-IP) and no {target}-mode state was found (found: {found}){Also(c.Facts.ModeWarnings)}.",
            "Run this on a node where kube-proxy runs, in its network namespace (-NetworkNamespace).");
    }

    private static string Also(IReadOnlyList<string> warnings) => warnings.Count == 0 ? "" : "; " + string.Join("; ", warnings);

    /// <summary>"nftables", "iptables", "IPVS".</summary>
    internal static string ModeName(KubeProxyMode mode) => mode switch
    {
        KubeProxyMode.Nftables => "nftables",
        KubeProxyMode.Iptables => "iptables",
        _ => "IPVS",
    };
}

/// <summary>The facts, the options and what is derived from both once (the Service index, kube-proxy's ownership).</summary>
internal sealed class MigrationContext
{
    public MigrationContext(MigrationFacts facts, MigrationOptions options)
    {
        Facts = facts;
        Options = options;
        Services = new MigrationServiceIndex(options.Cluster);
        Foreign = KubeProxyForeignServices.Select(facts.VirtualServers, facts.KubeIpvs0Addresses, options.OwnershipOptions(facts.NodeAddresses));
        var foreign = new HashSet<IpvsServiceKey>(Foreign.Select(s => s.Key));
        Owned = facts.VirtualServers.Where(s => !foreign.Contains(s.Key)).ToList();
        var dummy = new HashSet<System.Net.IPAddress>(facts.KubeIpvs0Addresses);
        NodePorts = Owned.Where(s => s.Address is { } a && !dummy.Contains(a)).ToList();
    }

    public MigrationFacts Facts { get; }
    public MigrationOptions Options { get; }
    public MigrationServiceIndex Services { get; }

    /// <summary>The virtual servers kube-proxy does not own.</summary>
    public IReadOnlyList<IpvsService> Foreign { get; }

    /// <summary>The virtual servers kube-proxy owns.</summary>
    public IReadOnlyList<IpvsService> Owned { get; }

    /// <summary>kube-proxy's virtual servers on node addresses (its NodePorts).</summary>
    public IReadOnlyList<IpvsService> NodePorts { get; }

    public string Target => MigrationChecks.ModeName(Options.TargetMode);

    public MigrationFinding Finding(string check, MigrationStatus status, string target, string detail, string remedy, IReadOnlyList<string>? services = null)
        => new(check, status, target, detail, remedy, services, Options.TargetMode, Options.NetworkNamespace);

    /// <summary>"TCP 10.96.0.10:53, TCP 10.96.0.1:443 and 3 more".</summary>
    public static string Some(IEnumerable<string> items, int shown = 3)
    {
        var list = items.ToList();
        if (list.Count <= shown) return string.Join(", ", list);
        return string.Join(", ", list.Take(shown)) + $" and {list.Count - shown} more";
    }
}
