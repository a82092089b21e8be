using System.Collections.Generic;
using System.Net.Sockets;
using IpvsTools.Iptables;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.Sync;

/// <summary>
/// A write to kube-proxy's iptables rules of one family: rewrite its chains or delete them
/// (<see cref="RestoreInput"/> for iptables-restore), or insert a jump into a built-in chain (<see cref="IptablesRule"/>).
/// </summary>
public sealed class KubeIptablesOperation : KubeIpvsOperation
{
    private KubeIptablesOperation(KubeIpvsOperationKind kind, IptablesFamily family) : base(kind, null) => Family = family;

    /// <summary>IPv4 (iptables) or IPv6 (ip6tables).</summary>
    public IptablesFamily Family { get; }

    /// <summary>"iptables" or "ip6tables".</summary>
    public string IptablesCommand => Family == IptablesFamily.IPv6 ? "ip6tables" : "iptables";

    /// <summary>The iptables-restore input (RestoreIptables, DeleteIptablesChains); else null.</summary>
    public string? RestoreInput { get; private init; }

    /// <summary>The chains as "table/chain" whose rules differ (RestoreIptables) or that are deleted (DeleteIptablesChains); else null.</summary>
    public IReadOnlyList<string>? IptablesChains { get; private init; }

    /// <summary>The jump (InsertIptablesJump): its table, built-in chain and arguments; else null.</summary>
    public KubeIptablesRule? IptablesRule { get; private init; }

    /// <inheritdoc/>
    public override KubeIpvsLayer Layer => KubeIpvsLayer.Iptables;

    /// <inheritdoc/>
    public override string Target => Kind == KubeIpvsOperationKind.InsertIptablesJump
        ? IptablesCommand + " " + IptablesRule!.Table + " " + IptablesRule.Chain
        : IptablesCommand + " " + string.Join(",", IptablesChains!);

    internal static KubeIptablesOperation RestoreIptables(KubeIptablesRules rules, IReadOnlyList<string> chains)
        => new(KubeIpvsOperationKind.RestoreIptables, FamilyOf(rules)) { RestoreInput = rules.RestoreInput(), IptablesChains = chains };

    internal static KubeIptablesOperation InsertJump(KubeIptablesRules rules, KubeIptablesRule jump)
        => new(KubeIpvsOperationKind.InsertIptablesJump, FamilyOf(rules)) { IptablesRule = jump };

    internal static KubeIptablesOperation DeleteChains(IptablesFamily family, string restoreInput, IReadOnlyList<string> chains)
        => new(KubeIpvsOperationKind.DeleteIptablesChains, family) { RestoreInput = restoreInput, IptablesChains = chains };

    private static IptablesFamily FamilyOf(KubeIptablesRules rules)
        => rules.AddressFamily == AddressFamily.InterNetworkV6 ? IptablesFamily.IPv6 : IptablesFamily.IPv4;

    private protected override string Describe() => Kind switch
    {
        KubeIpvsOperationKind.RestoreIptables => $"restore {IptablesCommand} chains {string.Join(" ", IptablesChains!)}",
        KubeIpvsOperationKind.InsertIptablesJump => $"insert {IptablesCommand} -t {IptablesRule!.Table} -I {IptablesRule.Chain} {string.Join(" ", IptablesRule.Arguments)}",
        _ => $"delete {IptablesCommand} chains {string.Join(" ", IptablesChains!)} and the jumps to them",
    };
}
