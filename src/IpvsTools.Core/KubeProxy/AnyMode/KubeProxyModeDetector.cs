using System;
using System.Collections.Generic;
using IpvsTools.KubeProxy.NftablesMode;
using IpvsTools.Netlink;
using IpvsTools.Ipsets;
using IpvsTools.Iptables;
using IpvsTools.Links;
using IpvsTools.Namespaces;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.KubeProxy.AnyMode;

/// <summary>Which of kube-proxy's data planes a node holds, and what could not be looked at.</summary>
/// <param name="Modes">The modes whose state was found, the one kube-proxy most likely runs in first
/// (nftables, then IPVS, then iptables: a node moved to a newer mode may keep an older one's leftovers).</param>
/// <param name="Warnings">What could not be checked, and why.</param>
public sealed record KubeProxyModeDetection(IReadOnlyList<KubeProxyMode> Modes, IReadOnlyList<string> Warnings)
{
    /// <summary>The mode to read, or null when none was found.</summary>
    public KubeProxyMode? Mode => Modes.Count > 0 ? Modes[0] : null;
}

/// <summary>
/// Finds kube-proxy's state on a node: the nftables tables ip/ip6 kube-proxy; the kube-ipvs0 link or the
/// KUBE-CLUSTER-IP ipset of IPVS mode; the KUBE-SVC-/KUBE-SEP- chains of iptables mode in the nat table.
/// </summary>
public static class KubeProxyModeDetector
{
    public static KubeProxyModeDetection Detect(NetworkNamespace? ns = null, IptablesBackend? backend = null)
    {
        var modes = new List<KubeProxyMode>();
        var warnings = new List<string>();
        try
        {
            if (NftablesModeReader.HasTables(ns)) modes.Add(KubeProxyMode.Nftables);
        }
        catch (IpvsToolsException ex) when (ex.Kind == FailureKind.NotFound)
        {
            warnings.Add("nftables mode was not checked: " + ex.Message);
        }

        var ipvs = false;
        try
        {
            using var links = LinkClient.Open(ns);
            ipvs = links.Find(KubeIpvsInterface.LinkName) is not null;
        }
        catch (IpvsToolsException ex) when (ex.Kind != FailureKind.PermissionDenied)
        {
            warnings.Add("kube-ipvs0 was not checked: " + ex.Message);
        }
        if (!ipvs)
        {
            try
            {
                using var sets = IpsetClient.Open(ns);
                foreach (var set in sets.ListHeaders())
                {
                    if (set.Name is "KUBE-CLUSTER-IP" or "KUBE-6-CLUSTER-IP") ipvs = true;
                }
            }
            catch (IpvsToolsException ex) when (ex.Kind != FailureKind.PermissionDenied)
            {
                warnings.Add("the KUBE-* ipsets were not checked: " + ex.Message);
            }
        }
        if (ipvs) modes.Add(KubeProxyMode.Ipvs);

        foreach (var family in new[] { IptablesFamily.IPv4, IptablesFamily.IPv6 })
        {
            try
            {
                var ruleset = IptablesClient.Open(family, backend, ns).Read();
                if (HasIptablesModeChains(ruleset))
                {
                    modes.Add(KubeProxyMode.Iptables);
                    break;
                }
            }
            catch (IpvsToolsException ex) when (ex.Kind != FailureKind.PermissionDenied)
            {
                warnings.Add($"iptables mode ({family}) was not checked: " + ex.Message);
            }
        }
        return new KubeProxyModeDetection(modes, warnings);
    }

    /// <summary>True when the nat table has chains only iptables mode makes (KUBE-SVC-, KUBE-SVL-, KUBE-EXT-, KUBE-SEP-).</summary>
    public static bool HasIptablesModeChains(IptablesRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        foreach (var chain in ruleset.Chains)
        {
            if (chain.Table != "nat") continue;
            if (chain.Name.StartsWith("KUBE-SVC-", StringComparison.Ordinal) || chain.Name.StartsWith("KUBE-SVL-", StringComparison.Ordinal)
                || chain.Name.StartsWith("KUBE-EXT-", StringComparison.Ordinal) || chain.Name.StartsWith("KUBE-SEP-", StringComparison.Ordinal))
                return true;
        }
        return false;
    }
}
