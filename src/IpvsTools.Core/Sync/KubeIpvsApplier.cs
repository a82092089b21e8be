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
            if (first is KubeVirtualServerOperation) made += ApplyIpvs(group, start, operations.Count, onChange);
            else if (first is KubeIpsetOperation { Element: not null } member) made += ApplyMembers(member, group, start, operations.Count, onChange);
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
        if (a is KubeVirtualServerOperation) return b is KubeVirtualServerOperation;
        return a is KubeIpsetOperation { Element: not null } x && b is KubeIpsetOperation { Element: not null } y
            && x.Kind == y.Kind && string.Equals(x.SetName, y.SetName, StringComparison.Ordinal);
    }

    private int ApplyIpvs(IReadOnlyList<KubeIpvsOperation> group, int start, int total, Action<KubeIpvsChange> onChange)
    {
        _ipvs ??= IpvsClient.Open(_ns);
        var writes = group.Select(o => IpvsWriteOf((KubeVirtualServerOperation)o)).ToList();
        (int Index, IpvsToolsException Error)? failure = null;
        var made = 0;
        _ipvs.ApplyBatch(writes, (i, error) =>
        {
            var op = (KubeVirtualServerOperation)group[i];
            if (error is not null)
            {
                failure ??= (i, error);
                onChange(Change(start + i, total, op, KubeIpvsChangeOutcome.Failed, error.Message));
                return;
            }
            made++;
            int? cleared = null;
            string? warning = null;
            if (op.Kind == KubeIpvsOperationKind.RemoveDestination && op.Service.Protocol != IpvsProtocol.Tcp && op.Service.Address is { } vip && ClearConntrack)
            {
                try
                {
                    cleared = ConntrackTool.DeleteFlows(_ns, op.Service.Protocol, vip, op.Service.Port, op.Destination!.Address);
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

    private int ApplyMembers(KubeIpsetOperation first, IReadOnlyList<KubeIpvsOperation> group, int start, int total, Action<KubeIpvsChange> onChange)
    {
        var setName = first.SetName;
        var entries = group.Select(o => new IpsetEntry(((KubeIpsetOperation)o).Element!)).ToList();
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
        switch (op)
        {
            case KubeLinkOperation { Kind: KubeIpvsOperationKind.CreateDummyLink }:
                _links ??= LinkClient.Open(_ns);
                _dummyIndex = _links.CreateDummy(KubeIpvsInterface.LinkName).Index;
                break;
            case KubeLinkOperation { Kind: KubeIpvsOperationKind.DeleteDummyLink }:
                _links ??= LinkClient.Open(_ns);
                if (_links.Find(KubeIpvsInterface.LinkName) is { } link) _links.Delete(link.Index);
                _dummyIndex = null;
                break;
            case KubeLinkOperation address:
                _addresses ??= AddressClient.Open(_ns);
                var index = DummyIndex();
                if (address.Kind == KubeIpvsOperationKind.AddAddress) _addresses.Add(index, address.Address!, address.PrefixLength);
                else _addresses.Remove(index, address.Address!, address.PrefixLength);
                break;
            case KubeIpsetOperation { Kind: KubeIpvsOperationKind.CreateSet } create:
                _ipset ??= IpsetClient.Open(_ns);
                _ipset.Create(create.SetName, create.Options!);
                break;
            case KubeIpsetOperation { Kind: KubeIpvsOperationKind.DestroySet } destroy:
                _ipset ??= IpsetClient.Open(_ns);
                _ipset.Destroy(destroy.SetName);
                break;
            case KubeIptablesOperation { Kind: KubeIpvsOperationKind.RestoreIptables } restore:
                Iptables(restore).Restore(restore.RestoreInput!, counters: true);
                break;
            case KubeIptablesOperation { Kind: KubeIpvsOperationKind.DeleteIptablesChains } delete:
                Iptables(delete).Restore(delete.RestoreInput!);
                break;
            case KubeIptablesOperation { Kind: KubeIpvsOperationKind.InsertIptablesJump } jump:
                var rule = jump.IptablesRule!;
                Iptables(jump).EnsureRule(rule.Table, rule.Chain, rule.ArgumentVector(), prepend: true);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op.Kind, "not a single write");
        }
    }

    private IptablesClient Iptables(KubeIptablesOperation op) => IptablesClient.Open(op.Family, _backend, _ns);

    private int DummyIndex()
    {
        if (_dummyIndex is { } known) return known;
        _links ??= LinkClient.Open(_ns);
        var link = _links.Find(KubeIpvsInterface.LinkName)
            ?? throw new IpvsToolsException("kube-ipvs0 does not exist (it was removed meanwhile?); run the sync again.", FailureKind.NotFound);
        _dummyIndex = link.Index;
        return link.Index;
    }

    private static IpvsWrite IpvsWriteOf(KubeVirtualServerOperation op) => op.Kind switch
    {
        KubeIpvsOperationKind.AddVirtualServer => IpvsWrite.AddService(op.ServiceSettings!),
        KubeIpvsOperationKind.UpdateVirtualServer => IpvsWrite.UpdateService(op.ServiceSettings!),
        KubeIpvsOperationKind.RemoveVirtualServer => IpvsWrite.RemoveService(op.Service),
        KubeIpvsOperationKind.AddDestination => IpvsWrite.AddDestination(op.Service, op.Destination!),
        KubeIpvsOperationKind.UpdateDestination => IpvsWrite.UpdateDestination(op.Service, op.Destination!),
        KubeIpvsOperationKind.RemoveDestination => IpvsWrite.RemoveDestination(op.Service, op.Destination!.Address, op.Destination.Port),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op.Kind, "not an IPVS write"),
    };

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
