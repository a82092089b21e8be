using System;
using System.Threading.Tasks;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Namespaces;

namespace IpvsTools.Sync;

/// <summary>
/// The node's kernel tables (kube-ipvs0, the IPVS table, the KUBE-* sets) read on another thread from the
/// moment a cmdlet knows which node it plans, so the read overlaps reading the cluster (a snapshot file or
/// the API), not only building the desired state. The first <see cref="KubeIpvsPlanning.Run"/> given it takes
/// the tables; a later planning (the sync's re-plan while draining) reads the node afresh. Disposing it
/// without a planning having taken it (the cluster read failed or was stopped) waits for the read and drops
/// its result or its failure: the cluster's error is the one to report.
/// </summary>
public sealed class KubeNodePrefetch : IDisposable
{
    private readonly NetworkNamespace? _namespace;
    private Task<KubeNodeTables>? _tables;

    private KubeNodePrefetch(NetworkNamespace? ns, Task<KubeNodeTables> tables)
    {
        _namespace = ns;
        _tables = tables;
    }

    /// <summary>Starts reading the tables of the node in <paramref name="ns"/> (null: this process's namespace).</summary>
    public static KubeNodePrefetch Start(NetworkNamespace? ns) => new(ns, Task.Run(() => KubeNodeReader.ReadTables(ns)));

    /// <summary>The read, once, for a planning of the same namespace; null when taken already or for another namespace.</summary>
    internal Task<KubeNodeTables>? Take(NetworkNamespace? ns)
    {
        if (!Equals(ns?.Path, _namespace?.Path)) return null;
        var tables = _tables;
        _tables = null;
        return tables;
    }

    public void Dispose()
    {
        var tables = _tables;
        _tables = null;
        if (tables is null) return;
        try { tables.Wait(); } catch (AggregateException) { } // nobody planned with it: its result and its failure go unused
    }
}
