using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Sockets;
using System.Threading;
using IpvsTools.Netlink;
using IpvsTools.Conntrack;
using IpvsTools.Ipsets;
using IpvsTools.Iptables;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Links;
using IpvsTools.Namespaces;

namespace IpvsTools.Sync;

/// <summary>
/// Carries out a plan's operations in their order with the engine's clients: kube-ipvs0 and its
/// addresses over rtnetlink, sets and members over nfnetlink (a run of member adds or removes of one set
/// goes as batched requests), IPVS writes pipelined on one socket, iptables through iptables-restore and
/// iptables. Reports one <see cref="KubeIpvsChange"/> per write as it is made, and stops at the first
/// refusal with a <see cref="KubeIpvsApplyException"/> naming the write (a new plan re-reads the node, so
/// a re-run converges). After a UDP or SCTP real server is removed, its stale conntrack entries are cleared.
/// </summary>
public sealed class KubeIpvsApplier : IDisposable
{
    private readonly NetworkNamespace? _ns;
    private readonly IptablesBackend? _backend;
    private IpvsClient? _ipvs;
    private IpsetClient? _ipset;
    private LinkClient? _links;
    private AddressClient? _addresses;
    private int? _dummyIndex;

    /// <summary>An applier for the namespace <paramref name="ns"/> (the process's own when null).</summary>
    public KubeIpvsApplier(NetworkNamespace? ns, IptablesBackend? backend = null)
    {
        _ns = ns;
        _backend = backend;
    }

    /// <summary>Clear conntrack entries of removed UDP/SCTP real servers (kube-proxy does). Default true.</summary>
    public bool ClearConntrack { get; init; } = true;

    /// <summary>
    /// Applies <paramref name="operations"/> in order, calling <paramref name="onChange"/> after each write;
    /// cancellation is honoured between groups of writes. Returns how many writes were made.
    /// </summary>
    public int Apply(IReadOnlyList<KubeIpvsOperation> operations, Action<KubeIpvsChange> onChange, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(onChange);
        var made = 0;
        var all = operations.ToArray();
        foreach (var (start, count) in Group(operations))
        {
            cancellation.ThrowIfCancellationRequested();
            var group = new ArraySegment<KubeIpvsOperation>(all, start, count);
            var first = operations[start];
            if (first.Layer == KubeIpvsLayer.Ipvs) made += ApplyIpvs(group, start, operations.Count, onChange);
            else if (first.Kind is KubeIpvsOperationKind.AddSetMember or KubeIpvsOperationKind.RemoveSetMember) made += ApplyMembers(group, start, operations.Count, onChange);
            else
            {
                try
                {
                    ApplyOne(first);
                }
                catch (IpvsToolsException ex)
                {
                    Fail(first, start, operations.Count, ex, onChange);
                }
                onChange(Change(start, operations.Count, first, KubeIpvsChangeOutcome.Applied));
                made++;
            }
        }
        return made;
    }

    /// <summary>
    /// The write groups of a plan as (start, count): a run of IPVS writes (pipelined), a run of member adds
    /// or of member removes of one set (batched), and every other write alone. Order is never changed.
    /// </summary>
    public static IReadOnlyList<(int Start, int Count)> Group(IReadOnlyList<KubeIpvsOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var groups = new List<(int, int)>();
        var i = 0;
        while (i < operations.Count)
        {
            var j = i + 1;
            while (j < operations.Count && SameGroup(operations[i], operations[j])) j++;
            groups.Add((i, j - i));
            i = j;
        }
        return groups;
    }

    private static bool SameGroup(KubeIpvsOperation a, KubeIpvsOperation b)
    {
        if (a.Layer == KubeIpvsLayer.Ipvs) return b.Layer == KubeIpvsLayer.Ipvs;
        return a.Kind is KubeIpvsOperationKind.AddSetMember or KubeIpvsOperationKind.RemoveSetMember
            && b.Kind == a.Kind && string.Equals(a.SetName, b.SetName, StringComparison.Ordinal);
    }

    private int ApplyIpvs(IReadOnlyList<KubeIpvsOperation> group, int start, int total, Action<KubeIpvsChange> onChange)
    {
        _ipvs ??= IpvsClient.Open(_ns);
        var writes = group.Select(IpvsWriteOf).ToList();
        (int Index, IpvsToolsException Error)? failure = null;
        var made = 0;
        _ipvs.ApplyBatch(writes, (i, error) =>
        {
            var op = group[i];
            if (error is not null)
            {
                failure ??= (i, error);
                onChange(Change(start + i, total, op, KubeIpvsChangeOutcome.Failed, error.Message));
                return;
            }
            made++;
            int? cleared = null;
            string? warning = null;
            if (op.Kind == KubeIpvsOperationKind.RemoveDestination && op.Service!.Protocol != IpvsProtocol.Tcp && op.Service.Address is { } vip && ClearConntrack)
            {
                try
                {
                    cleared = ConntrackTool.DeleteFlows(_ns, op.Service.Protocol, vip, op.Service.Port, op.DestinationAddress!);
                }
                catch (IpvsToolsException ex)
                {
                    warning = ex.Message;
                }
            }
            onChange(Change(start + i, total, op, KubeIpvsChangeOutcome.Applied, null, cleared, warning));
        });
        if (failure is { } f) throw new KubeIpvsApplyException(group[f.Index], start + f.Index + 1, total, f.Error);
        return made;
    }

    private int ApplyMembers(IReadOnlyList<KubeIpvsOperation> group, int start, int total, Action<KubeIpvsChange> onChange)
    {
        var first = group[0];
        var setName = first.SetName!;
        List<IpsetEntry> entries;
        try
        {
            var (type, family) = SetTypeOf(setName);
            entries = group.Select(o => new IpsetEntry(IpsetElementParser.Parse(o.Member, type, family))).ToList();
        }
        catch (IpvsToolsException ex)
        {
            Fail(first, start, total, ex, onChange);
            throw; // not reached
        }
        _ipset ??= IpsetClient.Open(_ns);
        var result = first.Kind == KubeIpvsOperationKind.AddSetMember
            ? _ipset.Add(setName, entries, stopAtFirstFailure: true)
            : _ipset.Delete(setName, entries, stopAtFirstFailure: true);
        var made = 0;
        foreach (var outcome in result.Outcomes)
        {
            var op = group[outcome.Index];
            if (outcome.Outcome == IpsetOutcome.Applied)
            {
                onChange(Change(start + outcome.Index, total, op, KubeIpvsChangeOutcome.Applied));
                made++;
                continue;
            }
            var error = outcome.Error ?? result.StoppedBy ?? new IpvsToolsException($"ipset {setName}: {outcome.Outcome}", FailureKind.StateUnknown);
            Fail(op, start + outcome.Index, total, error, onChange);
        }
        if (result.StoppedBy is { } stopped) Fail(first, start, total, stopped, onChange);
        return made;
    }

    private void ApplyOne(KubeIpvsOperation op)
    {
        switch (op.Kind)
        {
            case KubeIpvsOperationKind.CreateDummyLink:
                _links ??= LinkClient.Open(_ns);
                _dummyIndex = _links.CreateDummy(KubeIpvsInterface.LinkName).Index;
                break;
            case KubeIpvsOperationKind.DeleteDummyLink:
                _links ??= LinkClient.Open(_ns);
                if (_links.Find(KubeIpvsInterface.LinkName) is { } link) _links.Delete(link.Index);
                _dummyIndex = null;
                break;
            case KubeIpvsOperationKind.AddAddress:
            case KubeIpvsOperationKind.RemoveAddress:
                _addresses ??= AddressClient.Open(_ns);
                var index = DummyIndex();
                var prefix = (byte)(op.Address!.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32);
                if (op.Kind == KubeIpvsOperationKind.AddAddress) _addresses.Add(index, op.Address, prefix);
                else _addresses.Remove(index, op.Address, prefix);
                break;
            case KubeIpvsOperationKind.CreateSet:
                _ipset ??= IpsetClient.Open(_ns);
                var options = new IpsetCreateOptions(op.SetType!, op.SetFamily) { HashSize = op.SetHashSize, MaxElements = op.SetMaxElements };
                if (op.SetRange is { } range)
                {
                    var dash = range.IndexOf('-');
                    options = options with { RangeFrom = ushort.Parse(range.AsSpan(0, dash)), RangeTo = ushort.Parse(range.AsSpan(dash + 1)) };
                }
                _ipset.Create(op.SetName!, options);
                break;
            case KubeIpvsOperationKind.DestroySet:
                _ipset ??= IpsetClient.Open(_ns);
                _ipset.Destroy(op.SetName!);
                break;
            case KubeIpvsOperationKind.RestoreIptables:
                Iptables(op).Restore(op.RestoreInput!, counters: true);
                break;
            case KubeIpvsOperationKind.DeleteIptablesChains:
                Iptables(op).Restore(op.RestoreInput!);
                break;
            case KubeIpvsOperationKind.InsertIptablesJump:
                Iptables(op).EnsureRule(op.IptablesTable!, op.IptablesRule!.Chain, op.IptablesRule.ArgumentVector(), prepend: true);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op.Kind, "not a single write");
        }
    }

    private IptablesClient Iptables(KubeIpvsOperation op)
        => IptablesClient.Open(op.IptablesCommand == "ip6tables" ? IptablesFamily.IPv6 : IptablesFamily.IPv4, _backend, _ns);

    private int DummyIndex()
    {
        if (_dummyIndex is { } known) return known;
        _links ??= LinkClient.Open(_ns);
        var link = _links.Find(KubeIpvsInterface.LinkName)
            ?? throw new IpvsToolsException("kube-ipvs0 does not exist (it was removed meanwhile?); run the sync again.", FailureKind.NotFound);
        _dummyIndex = link.Index;
        return link.Index;
    }

    private static (IpsetTypeInfo Type, string Family) SetTypeOf(string setName)
    {
        var found = KubeIpsetDefinition.Find(setName)
            ?? throw new IpvsToolsException($"'{setName}' is not one of kube-proxy's sets.", FailureKind.InvalidArgument);
        var type = IpsetTypeInfo.Find(found.Definition.Type)
            ?? throw new IpvsToolsException($"ipset type {found.Definition.Type} is unknown.", FailureKind.NotSupported);
        return (type, found.Ipv6 ? "inet6" : "inet");
    }

    private static IpvsWrite IpvsWriteOf(KubeIpvsOperation op) => op.Kind switch
    {
        KubeIpvsOperationKind.AddVirtualServer => IpvsWrite.AddService(ServiceSettings(op)),
        KubeIpvsOperationKind.UpdateVirtualServer => IpvsWrite.UpdateService(ServiceSettings(op)),
        KubeIpvsOperationKind.RemoveVirtualServer => IpvsWrite.RemoveService(op.Service!),
        KubeIpvsOperationKind.AddDestination => IpvsWrite.AddDestination(op.Service!, new IpvsDestinationSettings(op.DestinationAddress!, op.DestinationPort, op.ForwardingMethod, op.Weight)),
        KubeIpvsOperationKind.UpdateDestination => IpvsWrite.UpdateDestination(op.Service!, new IpvsDestinationSettings(op.DestinationAddress!, op.DestinationPort, op.ForwardingMethod, op.Weight)),
        KubeIpvsOperationKind.RemoveDestination => IpvsWrite.RemoveDestination(op.Service!, op.DestinationAddress!, op.DestinationPort),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op.Kind, "not an IPVS write"),
    };

    private static IpvsServiceSettings ServiceSettings(KubeIpvsOperation op)
        => new(op.Service!, op.Scheduler!, op.Flags, op.Timeout, op.Netmask);

    private KubeIpvsChange Change(int index, int total, KubeIpvsOperation op, KubeIpvsChangeOutcome outcome, string? error = null, int? cleared = null, string? warning = null)
        => new(index + 1, total, op, outcome, error, cleared, warning, _ns?.DisplayName);

    private void Fail(KubeIpvsOperation op, int index, int total, IpvsToolsException error, Action<KubeIpvsChange> onChange)
    {
        onChange(Change(index, total, op, KubeIpvsChangeOutcome.Failed, error.Message));
        throw new KubeIpvsApplyException(op, index + 1, total, error);
    }

    /// <summary>Closes the sockets.</summary>
    public void Dispose()
    {
        _ipvs?.Dispose();
        _ipset?.Dispose();
        _links?.Dispose();
        _addresses?.Dispose();
    }
}
