using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Cluster;
using IpvsTools.Iptables;
using IpvsTools.Ipsets;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy.AnyMode;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Links;
using IpvsTools.Namespaces;
using IpvsTools.Processes;

namespace IpvsTools.KubeProxy.Migration;

/// <summary>
/// Reads <see cref="MigrationFacts"/> from a node: the kernel's release and modules (host-wide), nft's version and
/// its JSON output, the IPVS table and timeouts, the KUBE-* ipsets, kube-ipvs0 and the addresses, the ARP sysctls,
/// the listening sockets, iptables-save, and which kube-proxy data planes are there (all in the network namespace).
/// What cannot be read is left null or empty with the reason, never guessed. Changes nothing.
/// </summary>
public static class MigrationFactsReader
{
    /// <summary>Reads the facts of <paramref name="ns"/>; <paramref name="cluster"/> and <paramref name="nodeName"/> give the primary addresses when the Node is in it.</summary>
    public static MigrationFacts Read(NetworkNamespace? ns, ClusterSnapshot? cluster = null, string? nodeName = null, IptablesBackend? backend = null, string root = "/")
    {
        var release = Try(KubeProxyConnReuseMode.KernelRelease);
        var facts = new MigrationFacts
        {
            KernelRelease = release,
            Modules = release is null ? null : KernelModuleFacts.Read(root, release),
        };
        facts = WithNft(facts, ns);
        facts = WithIpvs(facts, ns);
        facts = WithLinks(facts, ns, cluster, nodeName);

        IReadOnlyList<KubeActualIpset> sets = Array.Empty<KubeActualIpset>();
        string? ipsetProblem = null;
        try
        {
            using var ipset = IpsetClient.Open(ns);
            sets = ipset.List().Where(s => s.Name.StartsWith("KUBE-", StringComparison.Ordinal)).Select(KubeActualIpset.From).ToList();
        }
        catch (IpvsToolsException ex) when (ex.Kind != FailureKind.PermissionDenied)
        {
            ipsetProblem = ex.Message;
        }

        var iptables = new List<IptablesRuleset>();
        foreach (var family in new[] { IptablesFamily.IPv4, IptablesFamily.IPv6 })
        {
            try
            {
                iptables.Add(IptablesClient.Open(family, backend, ns).Read());
            }
            catch (IpvsToolsException ex) when (ex.Kind != FailureKind.PermissionDenied)
            {
                // a family without its tool is not read; mode detection reports it
            }
        }

        var detection = KubeProxyModeDetector.Detect(ns, backend);
        string? Sysctl(string path) => Try(() => File.ReadAllText("/proc/sys/" + path).Trim());
        var (arpIgnore, arpAnnounce, listeners) = InNamespace(ns, () =>
        {
            var found = new List<HostListener>();
            foreach (var (file, protocol) in new[] { ("tcp", IpvsProtocol.Tcp), ("tcp6", IpvsProtocol.Tcp), ("udp", IpvsProtocol.Udp), ("udp6", IpvsProtocol.Udp) })
            {
                if (Try(() => File.ReadAllText("/proc/thread-self/net/" + file)) is { } text) found.AddRange(HostListener.Parse(text, protocol));
            }
            return (Sysctl("net/ipv4/conf/all/arp_ignore"), Sysctl("net/ipv4/conf/all/arp_announce"), (IReadOnlyList<HostListener>)found);
        });

        return facts with
        {
            Ipsets = sets,
            IpsetProblem = ipsetProblem,
            Iptables = iptables,
            ModesFound = detection.Modes,
            ModeWarnings = detection.Warnings,
            ArpIgnore = arpIgnore,
            ArpAnnounce = arpAnnounce,
            Listeners = listeners,
        };
    }

    private static MigrationFacts WithNft(MigrationFacts facts, NetworkNamespace? ns)
    {
        try
        {
            var version = ChildProcess.Run("nft", ["--version"]);
            var text = KernelChecks.ParseNftVersion(version.StandardOutput);
            if (version.ExitCode != 0 || text is null) return facts with { NftProblem = $"`nft --version` exited {version.ExitCode}: {version.StandardError.Trim()}" };
            facts = facts with { NftVersion = text };
        }
        catch (IpvsToolsException ex)
        {
            return facts with { NftProblem = ex.Message };
        }
        try
        {
            var list = ChildProcess.Run("nft", ["-j", "list", "tables"], ns);
            if (list.ExitCode != 0) return facts with { NftJson = false, NftJsonProblem = $"exit {list.ExitCode}: {list.StandardError.Trim()}" };
            using var document = System.Text.Json.JsonDocument.Parse(list.StandardOutput);
            return facts with { NftJson = document.RootElement.TryGetProperty("nftables", out _) , NftJsonProblem = "no \"nftables\" array in its output" };
        }
        catch (System.Text.Json.JsonException ex)
        {
            return facts with { NftJson = false, NftJsonProblem = ex.Message };
        }
        catch (IpvsToolsException ex)
        {
            return facts with { NftJson = false, NftJsonProblem = ex.Message };
        }
    }

    private static MigrationFacts WithIpvs(MigrationFacts facts, NetworkNamespace? ns)
    {
        try
        {
            using var ipvs = IpvsClient.Open(ns);
            return facts with { VirtualServers = ipvs.GetServices(includeDestinations: true), IpvsTimeouts = ipvs.GetTimeouts() };
        }
        catch (IpvsToolsException ex) when (ex.Kind is FailureKind.NotFound or FailureKind.ModuleMissing)
        {
            return facts with { IpvsProblem = ex.Message };
        }
    }

    private static MigrationFacts WithLinks(MigrationFacts facts, NetworkNamespace? ns, ClusterSnapshot? cluster, string? nodeName)
    {
        IReadOnlyList<NetworkLink> links;
        using (var client = LinkClient.Open(ns)) links = client.List();
        IReadOnlyList<InterfaceAddress> addresses;
        using (var client = AddressClient.Open(ns)) addresses = client.List();
        var dummy = links.FirstOrDefault(l => l.Name == KubeIpvsInterface.LinkName);
        var dummyAddresses = dummy is null ? new List<IPAddress>() : addresses.Where(a => a.InterfaceIndex == dummy.Index).Select(a => a.Address).Distinct().ToList();
        var nodeAddresses = addresses.Where(a => dummy is null || a.InterfaceIndex != dummy.Index).Select(a => a.Address).Distinct().ToList();

        IReadOnlyList<IPAddress> primary = Array.Empty<IPAddress>();
        string source;
        if (cluster?.FindNode(nodeName) is { } node && node.HostIPs().Count > 0)
        {
            primary = node.HostIPs();
            source = $"Node {node.Name}'s addresses";
        }
        else
        {
            var (v4, v6) = InNamespace(ns, () => (Try(() => File.ReadAllText("/proc/thread-self/net/route")), Try(() => File.ReadAllText("/proc/thread-self/net/ipv6_route"))));
            var names = (v4 is null ? Array.Empty<string>() : DefaultRouteInterfaces.ParseIPv4(v4)).Concat(v6 is null ? Array.Empty<string>() : DefaultRouteInterfaces.ParseIPv6(v6)).Distinct().ToList();
            var indexes = links.Where(l => names.Contains(l.Name)).Select(l => l.Index).ToHashSet();
            primary = addresses.Where(a => indexes.Contains(a.InterfaceIndex) && !(a.Address.AddressFamily == AddressFamily.InterNetworkV6 && a.Address.IsIPv6LinkLocal))
                .Select(a => a.Address).Distinct().ToList();
            source = names.Count == 0 ? "no default route and no Node object" : $"the default route's interface {string.Join(", ", names)}";
        }
        return facts with
        {
            HasKubeIpvs0 = dummy is not null,
            KubeIpvs0Addresses = dummyAddresses,
            NodeAddresses = nodeAddresses,
            PrimaryAddresses = primary,
            PrimarySource = source,
        };
    }

    private static T InNamespace<T>(NetworkNamespace? ns, Func<T> work) => ns is null ? work() : ns.Run(work);

    private static string? Try(Func<string> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
