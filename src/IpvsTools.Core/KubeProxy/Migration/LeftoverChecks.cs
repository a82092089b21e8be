using System;
using System.Collections.Generic;
using System.Linq;
using IpvsTools.Iptables;
using IpvsTools.Ipvs;
using IpvsTools.Sync;

namespace IpvsTools.KubeProxy.Migration;

/// <summary>
/// After the switch: what IPVS mode left on the node, found by the same plan Remove-KubeIpvs carries out
/// (<see cref="KubeIpvsCleanup"/>), so that what is reported is what it clears. kube-proxy in nftables mode removes
/// these itself at start (cmd/kube-proxy/app/server_linux.go platformCleanup), unless `modprobe -va ip_vs` fails
/// there (pkg/proxy/ipvs/cleanup.go skips the cleanup then, as in images without modprobe); in iptables mode it never
/// does, and Remove-KubeIpvs must not be used there: it deletes chains iptables mode shares with IPVS mode.
/// </summary>
internal static class LeftoverChecks
{
    /// <summary>Chains IPVS mode and iptables mode both write (kubernetes pkg/proxy/iptables and pkg/proxy/ipvs).</summary>
    internal static readonly string[] SharedWithIptablesMode = ["KUBE-SERVICES", "KUBE-POSTROUTING", "KUBE-MARK-MASQ", "KUBE-FORWARD", "KUBE-PROXY-FIREWALL"];

    public static IEnumerable<MigrationFinding> Evaluate(MigrationContext c)
    {
        var plan = KubeIpvsCleanup.Plan(c.Facts.ActualState(), c.Options.OwnershipOptions(c.Facts.NodeAddresses));
        var nftables = c.Options.TargetMode == KubeProxyMode.Nftables;
        var found = false;
        foreach (var operation in plan.Operations)
        {
            if (operation is KubeIptablesOperation iptables)
            {
                foreach (var chain in iptables.IptablesChains ?? Array.Empty<string>())
                {
                    var name = chain.Substring(chain.IndexOf('/') + 1);
                    var table = chain.Substring(0, chain.IndexOf('/'));
                    if (!nftables && SharedWithIptablesMode.Contains(name)) continue;
                    found = true;
                    yield return Leftover(c, $"{table}/{name} ({iptables.IptablesCommand})", $"IPVS mode's chain {name} is still in the {table} table of {iptables.IptablesCommand}.",
                        nftables ? null : $"{iptables.IptablesCommand} -t {table} -F {name}; then delete the rules that jump to it (`{iptables.IptablesCommand}-save -t {table} | grep -- '-j {name}'`, each with -D) and {iptables.IptablesCommand} -t {table} -X {name}", null);
                }
                continue;
            }
            found = true;
            var key = (operation as KubeVirtualServerOperation)?.Service;
            var services = key is null ? null : c.Services.For(new[] { key });
            var (detail, command) = operation switch
            {
                KubeVirtualServerOperation v => ($"kube-proxy's IPVS virtual server {v.Target} is still in the IPVS table.", $"ipvsadm -D {IpvsadmSaveText.ServiceOption(v.Service)}"),
                KubeIpsetOperation s => ($"IPVS mode's ipset {s.Target} is still there.", $"ipset destroy {s.Target} (after the chains that use it)"),
                KubeLinkOperation => ("kube-ipvs0 is still there: its Service addresses stay local to the node.", "ip link delete kube-ipvs0"),
                _ => (operation.ToString() + " is left.", operation.ToString()),
            };
            yield return Leftover(c, operation.Target, detail, nftables ? null : command, services);
        }
        if (!found)
            yield return c.Finding("Leftover", MigrationStatus.Pass, "IPVS mode", "Nothing of IPVS mode is left: no kube-ipvs0, KUBE-* ipsets, IPVS-mode chains or virtual servers of kube-proxy's.", "");
    }

    private static MigrationFinding Leftover(MigrationContext c, string target, string detail, string? command, IReadOnlyList<string>? services)
    {
        var remedy = command is null
            ? "Remove-KubeIpvs -Force (kube-proxy now runs in nftables mode and writes no IPVS state; -Force: kube-proxy runs). Foreign virtual servers stay."
            : $"By hand ({command}): do not run Remove-KubeIpvs in iptables mode, it deletes {string.Join(", ", SharedWithIptablesMode)}, which iptables mode uses too.";
        return c.Finding("Leftover", MigrationStatus.Warning, target, detail, remedy, services);
    }
}
