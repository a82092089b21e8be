using System.Text;
using IpvsTools.Cluster;

namespace IpvsTools.Tests.Kube;

/// <summary>
/// Every field of a <see cref="ClusterSnapshot"/>'s Services, EndpointSlices and Nodes as text, one per
/// line, so that two readers' results compare field by field (and a difference shows where it is).
/// </summary>
internal static class ClusterSnapshotText
{
    public static string Of(ClusterSnapshot s)
    {
        var text = new StringBuilder();
        foreach (var v in s.Services)
        {
            text.AppendLine($"service {v.Namespace}/{v.Name} labels {Labels(v.Labels)}");
            text.AppendLine($"  type {v.Type} headless {v.IsHeadless} clusterIPs [{Join(v.ClusterIPs)}] families [{Join(v.IPFamilies)}]");
            foreach (var p in v.Ports) text.AppendLine($"  port name '{p.Name}' {p.Protocol} {p.Port} nodePort {p.NodePort} target {Text(p.TargetPort)}");
            text.AppendLine($"  externalIPs [{Join(v.ExternalIPs)}] sourceRanges [{Join(v.LoadBalancerSourceRanges)}]");
            foreach (var i in v.LoadBalancerIngress) text.AppendLine($"  ingress ip {Text(i.IP?.ToString())} hostname {Text(i.Hostname)} mode {Text(i.IPMode)}");
            text.AppendLine($"  affinity {v.SessionAffinity} {v.SessionAffinityTimeoutSeconds} internal {v.InternalTrafficPolicy} external {v.ExternalTrafficPolicy} healthCheck {v.HealthCheckNodePort}");
            text.AppendLine($"  distribution {Text(v.TrafficDistribution)} externalName {Text(v.ExternalName)}");
        }
        foreach (var e in s.EndpointSlices)
        {
            text.AppendLine($"slice {e.Namespace}/{e.Name} labels {Labels(e.Labels)} addressType {e.AddressType}");
            foreach (var p in e.Ports) text.AppendLine($"  port name {Text(p.Name)} {p.Protocol} {(p.Port is null ? "(null)" : p.Port)}");
            foreach (var x in e.Endpoints)
            {
                text.AppendLine($"  endpoint [{Join(x.Addresses.Select(Text))}] ready {Flag(x.Ready)} serving {Flag(x.Serving)} terminating {Flag(x.Terminating)}");
                text.AppendLine($"    node {Text(x.NodeName)} zone {Text(x.Zone)} zoneHints [{Join(x.ZoneHints)}] nodeHints [{Join(x.NodeHints)}]");
            }
        }
        foreach (var n in s.Nodes)
        {
            text.AppendLine($"node {n.Name} labels {Labels(n.Labels)} podCidrs [{Join(n.PodCidrs)}]");
            foreach (var a in n.Addresses) text.AppendLine($"  address {Text(a.Type)} {Text(a.Address)}");
        }
        return text.ToString();
    }

    private static string Join<T>(IEnumerable<T> items) => string.Join(", ", items.Select(i => i?.ToString() ?? "(null)"));

    private static string Text(string? value) => value is null ? "(null)" : "'" + value + "'";

    private static string Flag(bool? value) => value is null ? "(null)" : value.Value ? "true" : "false";

    private static string Labels(IReadOnlyDictionary<string, string> labels)
        => "{" + string.Join(", ", labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"'{kv.Key}': {Text(kv.Value)}")) + "}";
}
