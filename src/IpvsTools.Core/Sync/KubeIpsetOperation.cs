using System;
using System.Globalization;
using IpvsTools.Ipsets;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.Sync;

/// <summary>
/// A write to one of kube-proxy's ipsets: create it (<see cref="Options"/>), destroy it, or add or remove a
/// member (<see cref="Element"/>, parsed for the set's type and family when planned).
/// </summary>
public sealed class KubeIpsetOperation : KubeIpvsOperation
{
    private KubeIpsetOperation(KubeIpvsOperationKind kind, string setName, string? reason) : base(kind, reason) => SetName = setName;

    /// <summary>The ipset.</summary>
    public string SetName { get; }

    /// <summary>What the set is created with: type, family, hashsize and maxelem, or a bitmap:port's range (CreateSet); else null.</summary>
    public IpsetCreateOptions? Options { get; private init; }

    /// <summary>kube-proxy's comment for the set (CreateSet); else null.</summary>
    public string? Comment { get; private init; }

    /// <summary>The member (AddSetMember, RemoveSetMember); else null.</summary>
    public IpsetElement? Element { get; private init; }

    /// <summary>The member as kube-proxy writes it (AddSetMember) or as ipset lists it (RemoveSetMember); else null.</summary>
    public string? Member { get; private init; }

    /// <inheritdoc/>
    public override KubeIpvsLayer Layer => KubeIpvsLayer.Ipset;

    /// <inheritdoc/>
    public override string Target => SetName;

    internal static KubeIpsetOperation CreateSet(KubeDesiredIpset set) => new(KubeIpvsOperationKind.CreateSet, set.Name, null)
    {
        Options = CreateOptions(set),
        Comment = set.Comment,
    };

    internal static KubeIpsetOperation DestroySet(string name, string reason) => new(KubeIpvsOperationKind.DestroySet, name, reason);

    internal static KubeIpsetOperation AddMember(string set, IpsetElement element, string member)
        => new(KubeIpvsOperationKind.AddSetMember, set, null) { Element = element, Member = member };

    internal static KubeIpsetOperation RemoveMember(string set, IpsetElement element, string member)
        => new(KubeIpvsOperationKind.RemoveSetMember, set, null) { Element = element, Member = member };

    /// <summary>The options kube-proxy creates <paramref name="set"/> with: hashsize and maxelem for hash types, the range of bitmap:port.</summary>
    private static IpsetCreateOptions CreateOptions(KubeDesiredIpset set)
    {
        var options = new IpsetCreateOptions(set.Type, set.Family) { HashSize = set.HashSize, MaxElements = set.MaxElements };
        if (set.Range is not { } range) return options;
        var dash = range.IndexOf('-', StringComparison.Ordinal);
        return options with
        {
            RangeFrom = ushort.Parse(range.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture),
            RangeTo = ushort.Parse(range.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture),
        };
    }

    /// <summary>"hash:ip,port family inet" or "bitmap:port" (Compare-KubeIpvs).</summary>
    internal string SetText => Options!.Type + (Options.Family is null ? "" : " family " + Options.Family);

    private protected override string Describe() => Kind switch
    {
        KubeIpvsOperationKind.CreateSet => $"create ipset {SetName} {Options!.Type}" + (Options.Family is null
            ? $" range {Options.RangeFrom}-{Options.RangeTo}"
            : $" family {Options.Family} hashsize {Options.HashSize} maxelem {Options.MaxElements}"),
        KubeIpvsOperationKind.DestroySet => $"destroy ipset {SetName}",
        KubeIpvsOperationKind.AddSetMember => $"add {Member} to ipset {SetName}",
        _ => $"remove {Member} from ipset {SetName}",
    };
}
