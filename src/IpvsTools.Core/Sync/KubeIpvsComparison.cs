using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Sockets;
using IpvsTools.Iptables;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Links;

namespace IpvsTools.Sync;

/// <summary>
/// Turns a plan into differences (Compare-KubeIpvs): one per item, with what is expected and what is
/// there. A node the plan leaves alone has none, except the foreign virtual servers, which are listed as
/// their own kind. Real servers already at weight 0 whose endpoint is gone are draining, not drift.
/// </summary>
public static class KubeIpvsComparison
{
    /// <summary>The differences the plan between <paramref name="desired"/> and <paramref name="actual"/> stands for.</summary>
    public static IReadOnlyList<KubeIpvsDifference> Compare(KubeDesiredState desired, KubeNodeActualState actual, KubeIpvsPlan plan, string? networkNamespace = null)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(plan);
        var services = actual.Services.ToDictionary(s => s.Key);
        var sets = actual.Ipsets.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var result = new List<KubeIpvsDifference>();
        void Add(KubeIpvsLayer layer, KubeIpvsDifferenceKind kind, string key, string? expected, string? have, KubeIpvsDifferenceAction action, string? servicePort = null)
            => result.Add(new KubeIpvsDifference(layer, kind, key, expected, have, action, servicePort, networkNamespace));

        var ops = plan.Operations;
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            var next = i + 1 < ops.Count ? ops[i + 1] : null;
            switch (op)
            {
                case KubeLinkOperation link:
                    switch (link.Kind)
                    {
                        case KubeIpvsOperationKind.CreateDummyLink:
                            Add(op.Layer, KubeIpvsDifferenceKind.DummyLink, LinkClient.KubeIpvsInterfaceName, "dummy, down", null, KubeIpvsDifferenceAction.Add);
                            break;
                        case KubeIpvsOperationKind.DeleteDummyLink:
                            Add(op.Layer, KubeIpvsDifferenceKind.DummyLink, LinkClient.KubeIpvsInterfaceName, null, "dummy", KubeIpvsDifferenceAction.Remove);
                            break;
                        case KubeIpvsOperationKind.AddAddress:
                            Add(op.Layer, KubeIpvsDifferenceKind.Address, link.Prefix, "on kube-ipvs0", null, KubeIpvsDifferenceAction.Add);
                            break;
                        case KubeIpvsOperationKind.RemoveAddress:
                            Add(op.Layer, KubeIpvsDifferenceKind.Address, link.Prefix, null, "on kube-ipvs0", KubeIpvsDifferenceAction.Remove);
                            break;
                    }
                    break;
                case KubeIpsetOperation set:
                    switch (set.Kind)
                    {
                        case KubeIpvsOperationKind.DestroySet:
                            var recreate = next is KubeIpsetOperation { Kind: KubeIpvsOperationKind.CreateSet } again && again.SetName == set.SetName ? again : null;
                            Add(op.Layer, KubeIpvsDifferenceKind.Set, set.SetName, recreate?.SetText, sets.TryGetValue(set.SetName, out var s) ? s.Type : null,
                                recreate is not null ? KubeIpvsDifferenceAction.Recreate : KubeIpvsDifferenceAction.Remove);
                            if (recreate is not null) i++;
                            break;
                        case KubeIpvsOperationKind.CreateSet:
                            Add(op.Layer, KubeIpvsDifferenceKind.Set, set.SetName, set.SetText, null, KubeIpvsDifferenceAction.Add);
                            break;
                        case KubeIpvsOperationKind.AddSetMember:
                            Add(op.Layer, KubeIpvsDifferenceKind.SetMember, set.SetName + " " + set.Member, set.Member, null, KubeIpvsDifferenceAction.Add);
                            break;
                        case KubeIpvsOperationKind.RemoveSetMember:
                            Add(op.Layer, KubeIpvsDifferenceKind.SetMember, set.SetName + " " + set.Member, null, set.Member, KubeIpvsDifferenceAction.Remove);
                            break;
                    }
                    break;
                case KubeVirtualServerOperation vs:
                    i += CompareIpvs(vs, next as KubeVirtualServerOperation, services, Add);
                    break;
                case KubeIptablesOperation rules:
                    switch (rules.Kind)
                    {
                        case KubeIpvsOperationKind.RestoreIptables:
                            foreach (var chain in rules.IptablesChains!)
                            {
                                var (expected, have) = ChainRules(desired, actual, rules.Family, chain);
                                Add(op.Layer, KubeIpvsDifferenceKind.Chain, rules.IptablesCommand + " " + chain, Rules(expected), have is null ? null : Rules(have.Value),
                                    have is null ? KubeIpvsDifferenceAction.Add : KubeIpvsDifferenceAction.Change);
                            }
                            break;
                        case KubeIpvsOperationKind.DeleteIptablesChains:
                            foreach (var chain in rules.IptablesChains!)
                                Add(op.Layer, KubeIpvsDifferenceKind.Chain, rules.IptablesCommand + " " + chain, null, "present", KubeIpvsDifferenceAction.Remove);
                            break;
                        case KubeIpvsOperationKind.InsertIptablesJump:
                            var jump = rules.IptablesRule!;
                            Add(op.Layer, KubeIpvsDifferenceKind.Jump, $"{rules.IptablesCommand} {jump.Table}/{jump.Chain} -j {Target(jump)}",
                                jump.ToString(), null, KubeIpvsDifferenceAction.Add);
                            break;
                    }
                    break;
            }
        }
        foreach (var key in plan.Foreign)
            Add(KubeIpvsLayer.Ipvs, KubeIpvsDifferenceKind.ForeignVirtualServer, key.DisplayName, null,
                services.TryGetValue(key, out var f) ? ServiceText(f) : null, KubeIpvsDifferenceAction.None);
        return result;
    }

    /// <summary>The difference an IPVS write stands for; returns 1 when it consumed <paramref name="next"/> too (a re-created real server).</summary>
    private static int CompareIpvs(KubeVirtualServerOperation op, KubeVirtualServerOperation? next, Dictionary<IpvsServiceKey, IpvsService> services,
        Action<KubeIpvsLayer, KubeIpvsDifferenceKind, string, string?, string?, KubeIpvsDifferenceAction, string?> add)
    {
        switch (op.Kind)
        {
            case KubeIpvsOperationKind.AddVirtualServer:
                add(op.Layer, KubeIpvsDifferenceKind.VirtualServer, op.Service.DisplayName, ServiceText(op.ServiceSettings!), null, KubeIpvsDifferenceAction.Add, op.ServicePort);
                return 0;
            case KubeIpvsOperationKind.UpdateVirtualServer:
                add(op.Layer, KubeIpvsDifferenceKind.VirtualServer, op.Service.DisplayName, ServiceText(op.ServiceSettings!),
                    services.TryGetValue(op.Service, out var had) ? ServiceText(had) : null, KubeIpvsDifferenceAction.Change, op.ServicePort);
                return 0;
            case KubeIpvsOperationKind.RemoveVirtualServer:
                var foreign = op.Reason == "foreign";
                add(op.Layer, foreign ? KubeIpvsDifferenceKind.ForeignVirtualServer : KubeIpvsDifferenceKind.VirtualServer, op.Service.DisplayName, null,
                    services.TryGetValue(op.Service, out var gone) ? ServiceText(gone) : null, KubeIpvsDifferenceAction.Remove, null);
                return 0;
            case KubeIpvsOperationKind.AddDestination:
                add(op.Layer, KubeIpvsDifferenceKind.Destination, DestinationKey(op), DestinationText(op.Destination!), null, KubeIpvsDifferenceAction.Add, op.ServicePort);
                return 0;
            case KubeIpvsOperationKind.UpdateDestination:
                var current = Destination(services, op);
                var drain = op.Destination!.Weight == 0 && op.Reason?.StartsWith("draining", StringComparison.Ordinal) == true;
                add(op.Layer, KubeIpvsDifferenceKind.Destination, DestinationKey(op), drain ? null : DestinationText(op.Destination),
                    current is null ? null : DestinationText(current.ForwardingMethod, current.Weight) + Connections(current),
                    drain ? KubeIpvsDifferenceAction.Drain : KubeIpvsDifferenceAction.Change, op.ServicePort);
                return 0;
            default: // RemoveDestination
                var was = Destination(services, op);
                var back = next is { Kind: KubeIpvsOperationKind.AddDestination } && next.Service == op.Service
                    && Equals(next.Destination!.Address, op.Destination!.Address) && next.Destination.Port == op.Destination.Port;
                add(op.Layer, KubeIpvsDifferenceKind.Destination, DestinationKey(op), back ? DestinationText(next!.Destination!) : null,
                    was is null ? null : DestinationText(was.ForwardingMethod, was.Weight) + Connections(was),
                    back ? KubeIpvsDifferenceAction.Recreate : KubeIpvsDifferenceAction.Remove, op.ServicePort);
                return back ? 1 : 0;
        }
    }

    private static string ServiceText(IpvsService s) => KubeVirtualServerOperation.ServiceOptions(s.Scheduler, s.RawFlags, s.PersistenceTimeout);

    private static string ServiceText(IpvsServiceSettings s) => KubeVirtualServerOperation.ServiceOptions(s.Scheduler, s.Flags, s.PersistenceTimeout);

    private static string DestinationKey(KubeVirtualServerOperation op) => op.Service.DisplayName + " -> " + op.Destination;

    private static string DestinationText(IpvsDestinationSettings d) => DestinationText(d.ForwardingMethod, d.Weight);

    private static string DestinationText(IpvsForwardingMethod method, int weight)
        => KubeVirtualServerOperation.Forwarding(method) + " weight " + weight.ToString(CultureInfo.InvariantCulture);

    private static string Connections(IpvsDestination d)
        => d.ActiveConnections + d.InactiveConnections == 0 ? "" : $", {d.ActiveConnections} active, {d.InactiveConnections} inactive";

    private static IpvsDestination? Destination(Dictionary<IpvsServiceKey, IpvsService> services, KubeVirtualServerOperation op)
        => services.TryGetValue(op.Service, out var s)
            ? s.Destinations.FirstOrDefault(d => d.Address.Equals(op.Destination!.Address) && d.Port == op.Destination.Port)
            : null;

    private static string Rules(int count) => count == 1 ? "1 rule" : count.ToString(CultureInfo.InvariantCulture) + " rules";

    private static string Target(KubeIptablesRule rule)
    {
        var j = rule.Arguments.ToList().LastIndexOf("-j");
        return j >= 0 && j + 1 < rule.Arguments.Count ? rule.Arguments[j + 1] : "?";
    }

    /// <summary>How many rules the chain ("nat/KUBE-SERVICES") should have, and has (null: the chain is missing).</summary>
    private static (int Expected, int? Actual) ChainRules(KubeDesiredState desired, KubeNodeActualState actual, IptablesFamily family, string chain)
    {
        var slash = chain.IndexOf('/');
        var (table, name) = (chain.Substring(0, slash), chain.Substring(slash + 1));
        var v6 = family == IptablesFamily.IPv6;
        var rules = desired.Iptables.FirstOrDefault(r => (r.AddressFamily == AddressFamily.InterNetworkV6) == v6);
        var expected = rules?.Rules.Count(r => r.Table == table && r.Chain == name) ?? 0;
        var have = actual.Iptables?.FirstOrDefault(r => (r.Family == IptablesFamily.IPv6) == v6)?.FindChain(table, name);
        return (expected, have?.RuleCount);
    }
}
