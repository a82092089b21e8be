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
                case KubeLinkOperation { Kind: KubeIpvsOperationKind.CreateDummyLink }:
                    Add(op.Layer, KubeIpvsDifferenceKind.DummyLink, KubeIpvsInterface.LinkName, "dummy, down", null, KubeIpvsDifferenceAction.Add);
                    break;
                case KubeLinkOperation { Kind: KubeIpvsOperationKind.DeleteDummyLink }:
                    Add(op.Layer, KubeIpvsDifferenceKind.DummyLink, KubeIpvsInterface.LinkName, null, "dummy", KubeIpvsDifferenceAction.Remove);
                    break;
                case KubeLinkOperation address:
                    var added = address.Kind == KubeIpvsOperationKind.AddAddress;
                    Add(op.Layer, KubeIpvsDifferenceKind.Address, address.Prefix, added ? "on kube-ipvs0" : null, added ? null : "on kube-ipvs0",
                        added ? KubeIpvsDifferenceAction.Add : KubeIpvsDifferenceAction.Remove);
                    break;
                case KubeIpsetOperation { Kind: KubeIpvsOperationKind.DestroySet } set:
                    var recreate = next is KubeIpsetOperation { Kind: KubeIpvsOperationKind.CreateSet } again && again.SetName == set.SetName ? again : null;
                    Add(op.Layer, KubeIpvsDifferenceKind.Set, set.SetName, recreate?.SetText, sets.TryGetValue(set.SetName, out var s) ? s.Type : null,
                        recreate is not null ? KubeIpvsDifferenceAction.Recreate : KubeIpvsDifferenceAction.Remove);
                    if (recreate is not null) i++;
                    break;
                case KubeIpsetOperation { Kind: KubeIpvsOperationKind.CreateSet } set:
                    Add(op.Layer, KubeIpvsDifferenceKind.Set, set.SetName, set.SetText, null, KubeIpvsDifferenceAction.Add);
                    break;
                case KubeIpsetOperation member:
                    var add = member.Kind == KubeIpvsOperationKind.AddSetMember;
                    Add(op.Layer, KubeIpvsDifferenceKind.SetMember, member.SetName + " " + member.Member, add ? member.Member : null, add ? null : member.Member,
                        add ? KubeIpvsDifferenceAction.Add : KubeIpvsDifferenceAction.Remove);
                    break;
                case KubeVirtualServerOperation { Kind: KubeIpvsOperationKind.AddVirtualServer } vs:
                    Add(op.Layer, KubeIpvsDifferenceKind.VirtualServer, vs.Service.DisplayName, ServiceText(vs.ServiceSettings!), null, KubeIpvsDifferenceAction.Add, vs.ServicePort);
                    break;
                case KubeVirtualServerOperation { Kind: KubeIpvsOperationKind.UpdateVirtualServer } vs:
                    Add(op.Layer, KubeIpvsDifferenceKind.VirtualServer, vs.Service.DisplayName, ServiceText(vs.ServiceSettings!),
                        services.TryGetValue(vs.Service, out var had) ? ServiceText(had) : null, KubeIpvsDifferenceAction.Change, vs.ServicePort);
                    break;
                case KubeVirtualServerOperation { Kind: KubeIpvsOperationKind.RemoveVirtualServer } vs:
                    var foreign = vs.Reason == "foreign";
                    Add(op.Layer, foreign ? KubeIpvsDifferenceKind.ForeignVirtualServer : KubeIpvsDifferenceKind.VirtualServer, vs.Service.DisplayName, null,
                        services.TryGetValue(vs.Service, out var gone) ? ServiceText(gone) : null, KubeIpvsDifferenceAction.Remove);
                    break;
                case KubeVirtualServerOperation { Kind: KubeIpvsOperationKind.AddDestination } d:
                    Add(op.Layer, KubeIpvsDifferenceKind.Destination, DestinationKey(d), DestinationText(d.Destination!), null, KubeIpvsDifferenceAction.Add, d.ServicePort);
                    break;
                case KubeVirtualServerOperation { Kind: KubeIpvsOperationKind.UpdateDestination } d:
                    var current = Destination(services, d);
                    var drain = d.Destination!.Weight == 0 && d.Reason?.StartsWith("draining", StringComparison.Ordinal) == true;
                    Add(op.Layer, KubeIpvsDifferenceKind.Destination, DestinationKey(d), drain ? null : DestinationText(d.Destination),
                        current is null ? null : DestinationText(current.ForwardingMethod, current.Weight) + Connections(current),
                        drain ? KubeIpvsDifferenceAction.Drain : KubeIpvsDifferenceAction.Change, d.ServicePort);
                    break;
                case KubeVirtualServerOperation d: // RemoveDestination
                    var was = Destination(services, d);
                    var back = next is KubeVirtualServerOperation { Kind: KubeIpvsOperationKind.AddDestination } readd && readd.Service == d.Service
                        && Equals(readd.Destination!.Address, d.Destination!.Address) && readd.Destination.Port == d.Destination.Port ? readd : null;
                    Add(op.Layer, KubeIpvsDifferenceKind.Destination, DestinationKey(d), back is null ? null : DestinationText(back.Destination!),
                        was is null ? null : DestinationText(was.ForwardingMethod, was.Weight) + Connections(was),
                        back is not null ? KubeIpvsDifferenceAction.Recreate : KubeIpvsDifferenceAction.Remove, d.ServicePort);
                    if (back is not null) i++;
                    break;
                case KubeIptablesOperation { Kind: KubeIpvsOperationKind.RestoreIptables } rules:
                    foreach (var chain in rules.IptablesChains!)
                    {
                        var (expected, have) = ChainRules(desired, actual, rules.Family, chain);
                        Add(op.Layer, KubeIpvsDifferenceKind.Chain, rules.IptablesCommand + " " + chain, Rules(expected), have is null ? null : Rules(have.Value),
                            have is null ? KubeIpvsDifferenceAction.Add : KubeIpvsDifferenceAction.Change);
                    }
                    break;
                case KubeIptablesOperation { Kind: KubeIpvsOperationKind.DeleteIptablesChains } rules:
                    foreach (var chain in rules.IptablesChains!)
                        Add(op.Layer, KubeIpvsDifferenceKind.Chain, rules.IptablesCommand + " " + chain, null, "present", KubeIpvsDifferenceAction.Remove);
                    break;
                case KubeIptablesOperation { IptablesRule: { } jump } rules:
                    Add(op.Layer, KubeIpvsDifferenceKind.Jump, $"{rules.IptablesCommand} {jump.Table}/{jump.Chain} -j {Target(jump)}",
                        jump.ToString(), null, KubeIpvsDifferenceAction.Add);
                    break;
            }
        }
        foreach (var key in plan.Foreign)
            Add(KubeIpvsLayer.Ipvs, KubeIpvsDifferenceKind.ForeignVirtualServer, key.DisplayName, null,
                services.TryGetValue(key, out var f) ? ServiceText(f) : null, KubeIpvsDifferenceAction.None);
        return result;
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
