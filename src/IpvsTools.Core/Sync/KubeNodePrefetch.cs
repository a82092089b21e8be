using System;
using System.Collections.Generic;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using IpvsTools.Iptables;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Namespaces;

namespace IpvsTools.Sync;

/// <summary>
/// The node's kernel tables (kube-ipvs0, the IPVS table, the KUBE-* sets), then iptables-save of both families,
/// read on another thread from the moment a cmdlet knows which node it plans, so the reads overlap reading the
/// cluster (a snapshot file or the API), not only building the desired state. The first
/// <see cref="KubeIpvsPlanning.Run(IpvsTools.Cluster.ClusterSnapshot, IpvsTools.KubeProxy.KubeProxyOptions, NetworkNamespace?, bool, IptablesBackend?, KubeNodePrefetch?)"/>
/// given it takes the reads; a later planning (the sync's re-plan while draining) reads the node afresh.
/// Disposing it without a planning having taken it (the cluster read failed or was stopped) waits for the reads
/// and drops their results or failures: the cluster's error is the one to report.
/// </summary>
public sealed class KubeNodePrefetch : IDisposable
{
    private readonly NetworkNamespace? _namespace;
    private readonly IptablesBackend? _backend;
    private Task<KubeNodeTables>? _tables;
    private Task<KubePrefetchedIptables>? _iptables;

    private KubeNodePrefetch(NetworkNamespace? ns, IptablesBackend? backend, Task<KubeNodeTables> tables, Task<KubePrefetchedIptables> iptables)
    {
        _namespace = ns;
        _backend = backend;
        _tables = tables;
        _iptables = iptables;
    }

    /// <summary>Starts reading the tables of the node in <paramref name="ns"/> (null: this process's namespace), iptables with the detected backend.</summary>
    public static KubeNodePrefetch Start(NetworkNamespace? ns) => Start(ns, null);

    /// <summary>
    /// Starts reading the tables of the node in <paramref name="ns"/> (null: this process's namespace) and
    /// iptables-save of both families through <paramref name="backend"/> (null: the detected one); which families
    /// the plan needs is known only once the cluster is read, and ip6tables-save of an IPv4-only node is short.
    /// </summary>
    public static KubeNodePrefetch Start(NetworkNamespace? ns, IptablesBackend? backend)
    {
        // iptables-save after the tables, on the same thread, whatever became of their read: the read ahead adds no
        // third thread to the two (it and the cluster's read) that share a small node's cores, and a large cluster's
        // read usually takes longer than both. ip6tables-save only when the namespace has IPv6 addresses (or their
        // read failed): an IPv4-only node's planning never asks for IPv6 rules, and one that does reads them then.
        var tables = Task.Run(() => KubeNodeReader.ReadTables(ns));
        var iptables = tables.ContinueWith(t => KubePrefetchedIptables.Read(ns, backend, ipv6: !t.IsCompletedSuccessfully || t.Result.HasIPv6Addresses),
            CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        return new(ns, backend, tables, iptables);
    }

    /// <summary>The read, once, for a planning of the same namespace; null when taken already or for another namespace.</summary>
    internal Task<KubeNodeTables>? Take(NetworkNamespace? ns)
    {
        if (!Equals(ns?.Path, _namespace?.Path)) return null;
        var tables = _tables;
        _tables = null;
        return tables;
    }

    /// <summary>
    /// iptables-save of both families, once, for a planning of the same namespace and backend; null when taken
    /// already, or for another namespace or backend.
    /// </summary>
    internal Task<KubePrefetchedIptables>? TakeIptables(NetworkNamespace? ns, IptablesBackend? backend)
    {
        if (!Equals(ns?.Path, _namespace?.Path) || backend != _backend) return null;
        var iptables = _iptables;
        _iptables = null;
        return iptables;
    }

    public void Dispose()
    {
        var tables = _tables;
        var iptables = _iptables;
        _tables = null;
        _iptables = null;
        // Nobody planned with them: their results and their failures go unused.
        if (tables is not null) try { tables.Wait(); } catch (AggregateException) { }
        if (iptables is not null) try { iptables.Wait(); } catch (AggregateException) { }
    }
}

/// <summary>
/// iptables-save of each family as read ahead of the plan, each family's ruleset or its failure: a planning takes
/// the rulesets of the families it needs and reads a family whose read failed again itself, so its failure is
/// reported as without the read ahead (and a failure of a family it does not need is never reported).
/// </summary>
internal sealed class KubePrefetchedIptables
{
    private readonly Dictionary<AddressFamily, IptablesRuleset> _read = new();

    /// <summary>Reads iptables-save and ip6tables-save of the node in <paramref name="ns"/>.</summary>
    /// <summary>The families read ahead (a family that failed is not among them).</summary>
    internal IReadOnlyCollection<AddressFamily> Families => _read.Keys;

    public static KubePrefetchedIptables Read(NetworkNamespace? ns, IptablesBackend? backend, bool ipv6 = true)
    {
        var result = new KubePrefetchedIptables();
        foreach (var family in ipv6 ? new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 } : [AddressFamily.InterNetwork])
        {
            try
            {
                result._read[family] = KubeNodeReader.ReadIptables(ns, [family], backend)[0];
            }
            catch (Exception) // read again by the planning that needs the family, which reports it
            {
            }
        }
        return result;
    }

    /// <summary>
    /// The rulesets of <paramref name="families"/> in their order (the order <see cref="KubeNodeReader.ReadIptables"/>
    /// gives), a family not read ahead read now.
    /// </summary>
    public IReadOnlyList<IptablesRuleset> For(IEnumerable<AddressFamily> families, NetworkNamespace? ns, IptablesBackend? backend)
    {
        var rulesets = new List<IptablesRuleset>();
        foreach (var family in Ordered(families))
            rulesets.Add(_read.TryGetValue(family, out var ruleset) ? ruleset : KubeNodeReader.ReadIptables(ns, [family], backend)[0]);
        return rulesets;
    }

    private static IEnumerable<AddressFamily> Ordered(IEnumerable<AddressFamily> families)
    {
        var seen = new HashSet<AddressFamily>();
        foreach (var f in families)
        {
            if (seen.Add(f)) yield return f;
        }
    }
}
