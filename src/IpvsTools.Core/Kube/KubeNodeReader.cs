using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using IpvsTools.Netlink;

namespace IpvsTools;

/// <summary>
/// Reads what a node holds for the planner, from the kernel of a network namespace: the links and
/// addresses (kube-ipvs0's and the node's), the IPVS table with connection counts, the KUBE-* ipsets,
/// and iptables-save of each family. Reads only.
/// </summary>
public static class KubeNodeReader
{
    /// <summary>Every address on an interface other than kube-ipvs0 (kube-proxy's node address set, before its filters).</summary>
    public static IReadOnlyList<IPAddress> LocalAddresses(NetworkNamespace? ns)
    {
        var (dummy, addresses) = ReadLinks(ns);
        return addresses.Where(a => dummy is null || a.InterfaceIndex != dummy.Index).Select(a => a.Address).Distinct().ToList();
    }

    /// <summary>The addresses on kube-ipvs0 (none when it does not exist).</summary>
    public static IReadOnlyList<IPAddress> KubeIpvs0Addresses(NetworkNamespace? ns)
    {
        var (dummy, addresses) = ReadLinks(ns);
        return dummy is null ? Array.Empty<IPAddress>() : addresses.Where(a => a.InterfaceIndex == dummy.Index).Select(a => a.Address).Distinct().ToList();
    }

    /// <summary>
    /// <paramref name="options"/> with the node's addresses read from the kernel where it has none:
    /// NodeAddresses (every address but kube-ipvs0's) and InterfaceAddresses (those and kube-ipvs0's, what
    /// --nodeport-addresses CIDRs are matched against).
    /// </summary>
    public static KubeProxyOptions WithNodeAddresses(KubeProxyOptions options, NetworkNamespace? ns)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.NodeAddresses.Count == 0) options = options with { NodeAddresses = LocalAddresses(ns) };
        if (options.InterfaceAddresses.Count == 0) options = options with { InterfaceAddresses = options.NodeAddresses.Concat(KubeIpvs0Addresses(ns)).Distinct().ToList() };
        return options;
    }

    /// <summary>The node's state for the given families (iptables is read for those; IPVS and sets whole).</summary>
    public static KubeNodeActualState Read(NetworkNamespace? ns, IEnumerable<AddressFamily> families, IptablesBackend? backend = null)
    {
        ArgumentNullException.ThrowIfNull(families);
        var tables = ReadTables(ns);
        return tables.With(ReadIptables(ns, families, backend));
    }

    /// <summary>
    /// The kernel tables a node's state holds apart from iptables: kube-ipvs0 and its addresses, the IPVS table
    /// with connection counts, the KUBE-* ipsets.
    /// </summary>
    public static KubeNodeTables ReadTables(NetworkNamespace? ns)
    {
        var (dummy, addresses) = ReadLinks(ns);
        var dummyAddresses = dummy is null ? new List<IPAddress>() : addresses.Where(a => a.InterfaceIndex == dummy.Index).Select(a => a.Address).Distinct().ToList();

        IReadOnlyList<IpvsService> services;
        using (var ipvs = IpvsClient.Open(ns)) services = ipvs.GetServices(includeDestinations: true);

        IReadOnlyList<KubeActualIpset> sets;
        using (var ipset = IpsetClient.Open(ns))
            sets = ipset.List().Where(s => s.Name.StartsWith("KUBE-", StringComparison.Ordinal)).Select(KubeActualIpset.From).ToList();
        return new KubeNodeTables(services, sets, dummy is not null, dummyAddresses);
    }

    /// <summary>iptables-save (or ip6tables-save) of each of the given families.</summary>
    public static IReadOnlyList<IptablesRuleset> ReadIptables(NetworkNamespace? ns, IEnumerable<AddressFamily> families, IptablesBackend? backend = null)
    {
        ArgumentNullException.ThrowIfNull(families);
        var iptables = new List<IptablesRuleset>();
        foreach (var family in families.Distinct())
        {
            var f = family == AddressFamily.InterNetworkV6 ? IptablesFamily.IPv6 : IptablesFamily.IPv4;
            iptables.Add(IptablesClient.Open(f, backend, ns).Read());
        }
        return iptables;
    }

    private static (NetworkLink? Dummy, IReadOnlyList<InterfaceAddress> Addresses) ReadLinks(NetworkNamespace? ns)
    {
        NetworkLink? dummy;
        using (var links = LinkClient.Open(ns)) dummy = links.Find(LinkClient.KubeIpvsInterfaceName);
        IReadOnlyList<InterfaceAddress> addresses;
        using (var client = AddressClient.Open(ns)) addresses = client.List();
        return (dummy, addresses);
    }
}

/// <summary>One planning run: the desired state for a snapshot, the node read fresh, and the plan between them.</summary>
public sealed class KubeIpvsPlanning
{
    private KubeIpvsPlanning(KubeDesiredState desired, KubeNodeActualState actual, KubeIpvsPlan plan, TimeSpan building, TimeSpan reading, TimeSpan planning)
    {
        Desired = desired;
        Actual = actual;
        Plan = plan;
        BuildTime = building;
        ReadTime = reading;
        PlanTime = planning;
    }

    /// <summary>How long building the desired state from the cluster took.</summary>
    public TimeSpan BuildTime { get; }

    /// <summary>How long reading the node (IPVS table, ipsets, iptables, kube-ipvs0) took, from the start: it overlaps the build.</summary>
    public TimeSpan ReadTime { get; }

    /// <summary>How long comparing the two into writes took.</summary>
    public TimeSpan PlanTime { get; }

    /// <summary>What kube-proxy would program.</summary>
    public KubeDesiredState Desired { get; }

    /// <summary>What the node holds.</summary>
    public KubeNodeActualState Actual { get; }

    /// <summary>The writes between them.</summary>
    public KubeIpvsPlan Plan { get; }

    /// <summary>
    /// Plans a node: its addresses are read from the kernel unless <paramref name="options"/> gives
    /// NodeAddresses, then the desired state is built, the node read, and the plan made.
    /// </summary>
    public static KubeIpvsPlanning Run(ClusterSnapshot snapshot, KubeProxyOptions options, NetworkNamespace? ns, bool includeForeign = false, IptablesBackend? backend = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        options = KubeNodeReader.WithNodeAddresses(options, ns);
        // The kernel tables are read on another thread while the desired state is built (the IPVS listing is
        // mostly the kernel's time, the build only ours); iptables-save runs once the build has said which
        // families it needs.
        var watch = Stopwatch.StartNew();
        var tables = Task.Run(() => KubeNodeReader.ReadTables(ns));
        KubeDesiredState desired;
        try
        {
            desired = KubeProxyState.Build(snapshot, options);
        }
        catch
        {
            try { tables.Wait(); } catch (AggregateException) { } // the build's failure is the one to report
            throw;
        }
        var building = watch.Elapsed;
        var iptables = KubeNodeReader.ReadIptables(ns, desired.Families, backend);
        var actual = tables.GetAwaiter().GetResult().With(iptables);
        var reading = watch.Elapsed;
        var plan = KubeIpvsPlanner.Plan(desired, actual, options, includeForeign);
        return new KubeIpvsPlanning(desired, actual, plan, building, reading, watch.Elapsed - reading);
    }
}

/// <summary>What <see cref="KubeNodeReader.ReadTables"/> read: everything of a node's state but its iptables rules.</summary>
public sealed record KubeNodeTables(IReadOnlyList<IpvsService> Services, IReadOnlyList<KubeActualIpset> Ipsets, bool HasDummy, IReadOnlyList<IPAddress> DummyAddresses)
{
    /// <summary>The node's state: these tables and the given iptables rulesets.</summary>
    public KubeNodeActualState With(IReadOnlyList<IptablesRuleset> iptables) => new(Services, Ipsets, HasDummy, DummyAddresses, iptables);
}
