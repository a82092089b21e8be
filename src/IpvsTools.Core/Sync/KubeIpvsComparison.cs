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
            switch (op.Kind)
            {
                case KubeIpvsOperationKind.CreateDummyLink:
                    Add(op.Layer, KubeIpvsDifferenceKind.DummyLink, KubeIpvsInterface.LinkName, "dummy, down", null, KubeIpvsDifferenceAction.Add);
                    break;
                case KubeIpvsOperationKind.DeleteDummyLink:
                    Add(op.Layer, KubeIpvsDifferenceKind.DummyLink, KubeIpvsInterface.LinkName, null, "dummy", KubeIpvsDifferenceAction.Remove);
                    break;
                case KubeIpvsOperationKind.AddAddress:
                    Add(op.Layer, KubeIpvsDifferenceKind.Address, Prefix(op), "on kube-ipvs0", null, KubeIpvsDifferenceAction.Add);
                    break;
                case KubeIpvsOperationKind.RemoveAddress:
                    Add(op.Layer, KubeIpvsDifferenceKind.Address, Prefix(op), null, "on kube-ipvs0", KubeIpvsDifferenceAction.Remove);
                    break;
                case KubeIpvsOperationKind.DestroySet:
                    var recreated = next is { Kind: KubeIpvsOperationKind.CreateSet } && next.SetName == op.SetName;
                    Add(op.Layer, KubeIpvsDifferenceKind.Set, op.SetName!, recreated ? SetText(next!) : null, sets.TryGetValue(op.SetName!, out var s) ? s.Type : null,
                        recreated ? KubeIpvsDifferenceAction.Recreate : KubeIpvsDifferenceAction.Remove);
                    if (recreated) i++;
                    break;
                case KubeIpvsOperationKind.CreateSet:
                    Add(op.Layer, KubeIpvsDifferenceKind.Set, op.SetName!, SetText(op), null, KubeIpvsDifferenceAction.Add);
                    break;
                case KubeIpvsOperationKind.AddSetMember:
                    Add(op.Layer, KubeIpvsDifferenceKind.SetMember, op.SetName + " " + op.Member, op.Member, null, KubeIpvsDifferenceAction.Add);
                    break;
                case KubeIpvsOperationKind.RemoveSetMember:
                    Add(op.Layer, KubeIpvsDifferenceKind.SetMember, op.SetName + " " + op.Member, null, op.Member, KubeIpvsDifferenceAction.Remove);
                    break;
                case KubeIpvsOperationKind.AddVirtualServer:
                    Add(op.Layer, KubeIpvsDifferenceKind.VirtualServer, op.Service!.DisplayName, KubeIpvsOperation.ServiceOptions(op.Scheduler, op.Flags, op.Timeout), null,
                        KubeIpvsDifferenceAction.Add, op.ServicePort);
                    break;
                case KubeIpvsOperationKind.UpdateVirtualServer:
                    Add(op.Layer, KubeIpvsDifferenceKind.VirtualServer, op.Service!.DisplayName, KubeIpvsOperation.ServiceOptions(op.Scheduler, op.Flags, op.Timeout),
                        services.TryGetValue(op.Service, out var had) ? ServiceText(had) : null, KubeIpvsDifferenceAction.Change, op.ServicePort);
                    break;
                case KubeIpvsOperationKind.RemoveVirtualServer:
                    var foreign = op.Reason == "foreign";
                    Add(op.Layer, foreign ? KubeIpvsDifferenceKind.ForeignVirtualServer : KubeIpvsDifferenceKind.VirtualServer, op.Service!.DisplayName, null,
                        services.TryGetValue(op.Service, out var gone) ? ServiceText(gone) : null, KubeIpvsDifferenceAction.Remove);
                    break;
                case KubeIpvsOperationKind.AddDestination:
                    Add(op.Layer, KubeIpvsDifferenceKind.Destination, DestinationKey(op), DestinationText(op.ForwardingMethod, op.Weight), null, KubeIpvsDifferenceAction.Add, op.ServicePort);
                    break;
                case KubeIpvsOperationKind.UpdateDestination:
                    var current = Destination(services, op);
                    var drain = op.Weight == 0 && op.Reason?.StartsWith("draining", StringComparison.Ordinal) == true;
                    Add(op.Layer, KubeIpvsDifferenceKind.Destination, DestinationKey(op), drain ? null : DestinationText(op.ForwardingMethod, op.Weight),
                        current is null ? null : DestinationText(current.ForwardingMethod, current.Weight) + Connections(current),
                        drain ? KubeIpvsDifferenceAction.Drain : KubeIpvsDifferenceAction.Change, op.ServicePort);
                    break;
                case KubeIpvsOperationKind.RemoveDestination:
                    var was = Destination(services, op);
                    var back = next is { Kind: KubeIpvsOperationKind.AddDestination } && next.Service == op.Service
                        && Equals(next.DestinationAddress, op.DestinationAddress) && next.DestinationPort == op.DestinationPort;
                    Add(op.Layer, KubeIpvsDifferenceKind.Destination, DestinationKey(op), back ? DestinationText(next!.ForwardingMethod, next.Weight) : null,
                        was is null ? null : DestinationText(was.ForwardingMethod, was.Weight) + Connections(was),
                        back ? KubeIpvsDifferenceAction.Recreate : KubeIpvsDifferenceAction.Remove, op.ServicePort);
                    if (back) i++;
                    break;
                case KubeIpvsOperationKind.RestoreIptables:
                    foreach (var chain in op.IptablesChains!)
                    {
                        var (expected, have) = ChainRules(desired, actual, op.IptablesCommand!, chain);
                        Add(op.Layer, KubeIpvsDifferenceKind.Chain, op.IptablesCommand + " " + chain, Rules(expected), have is null ? null : Rules(have.Value),
                            have is null ? KubeIpvsDifferenceAction.Add : KubeIpvsDifferenceAction.Change);
                    }
                    break;
                case KubeIpvsOperationKind.DeleteIptablesChains:
                    foreach (var chain in op.IptablesChains!)
                        Add(op.Layer, KubeIpvsDifferenceKind.Chain, op.IptablesCommand + " " + chain, null, "present", KubeIpvsDifferenceAction.Remove);
                    break;
                case KubeIpvsOperationKind.InsertIptablesJump:
                    Add(op.Layer, KubeIpvsDifferenceKind.Jump, $"{op.IptablesCommand} {op.IptablesTable}/{op.IptablesRule!.Chain} -j {Target(op.IptablesRule)}",
                        op.IptablesRule.ToString(), null, KubeIpvsDifferenceAction.Add);
                    break;
            }
        }
        foreach (var key in plan.Foreign)
            Add(KubeIpvsLayer.Ipvs, KubeIpvsDifferenceKind.ForeignVirtualServer, key.DisplayName, null,
                services.TryGetValue(key, out var f) ? ServiceText(f) : null, KubeIpvsDifferenceAction.None);
        return result;
    }

    private static string Prefix(KubeIpvsOperation op) => op.Address + (op.Address!.AddressFamily == AddressFamily.InterNetworkV6 ? "/128" : "/32");

    private static string SetText(KubeIpvsOperation op) => op.SetType + (op.SetFamily is null ? "" : " family " + op.SetFamily);

    private static string ServiceText(IpvsService s) => KubeIpvsOperation.ServiceOptions(s.Scheduler, s.RawFlags, s.PersistenceTimeout);

    private static string DestinationKey(KubeIpvsOperation op) => op.Service!.DisplayName + " -> " + op.Destination;

    private static string DestinationText(IpvsForwardingMethod method, int weight)
        => KubeIpvsOperation.Forwarding(method) + " weight " + weight.ToString(CultureInfo.InvariantCulture);

    private static string Connections(IpvsDestination d)
        => d.ActiveConnections + d.InactiveConnections == 0 ? "" : $", {d.ActiveConnections} active, {d.InactiveConnections} inactive";

    private static IpvsDestination? Destination(Dictionary<IpvsServiceKey, IpvsService> services, KubeIpvsOperation op)
        => services.TryGetValue(op.Service!, out var s)
            ? s.Destinations.FirstOrDefault(d => d.Address.Equals(op.DestinationAddress) && d.Port == op.DestinationPort)
            : null;

    private static string Rules(int count) => count == 1 ? "1 rule" : count.ToString(CultureInfo.InvariantCulture) + " rules";

    private static string Target(KubeIptablesRule rule)
    {
        var j = rule.Arguments.ToList().LastIndexOf("-j");
        return j >= 0 && j + 1 < rule.Arguments.Count ? rule.Arguments[j + 1] : "?";
    }

    /// <summary>How many rules the chain ("nat/KUBE-SERVICES") should have, and has (null: the chain is missing).</summary>
    private static (int Expected, int? Actual) ChainRules(KubeDesiredState desired, KubeNodeActualState actual, string command, string chain)
    {
        var slash = chain.IndexOf('/');
        var (table, name) = (chain.Substring(0, slash), chain.Substring(slash + 1));
        var v6 = command == "ip6tables";
        var rules = desired.Iptables.FirstOrDefault(r => (r.AddressFamily == AddressFamily.InterNetworkV6) == v6);
        var expected = rules?.Rules.Count(r => r.Table == table && r.Chain == name) ?? 0;
        var have = actual.Iptables?.FirstOrDefault(r => (r.Family == IptablesFamily.IPv6) == v6)?.FindChain(table, name);
        return (expected, have?.RuleCount);
    }
}
