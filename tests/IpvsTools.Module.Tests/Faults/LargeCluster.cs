using System.Text;

namespace IpvsTools.ModuleTests.Faults;

/// <summary>
/// A cluster snapshot as `kubectl get -o yaml` prints it, large enough for a sync to take seconds:
/// <c>services</c> ClusterIP Services (TCP 10.97.x.y:80, x = i / 250, y = i % 250 + 1) with
/// <see cref="EndpointsPerService"/> ready endpoints each on another node, and the Node node-a (172.18.0.3,
/// as <see cref="GetKubeIpvsPlanLabTests.Node"/> makes it).
/// </summary>
internal static class LargeCluster
{
    public const int EndpointsPerService = 3;

    /// <summary>The ClusterIP of Service <paramref name="i"/>.</summary>
    public static string ClusterIp(int i) => $"10.97.{i / 250}.{i % 250 + 1}";

    public static string Snapshot(int services)
    {
        var text = new StringBuilder("apiVersion: v1\nkind: List\nitems:\n");
        for (var i = 0; i < services; i++)
        {
            text.Append($"- {{apiVersion: v1, kind: Service, metadata: {{name: svc-{i}, namespace: load}}, spec: {{clusterIP: {ClusterIp(i)}, clusterIPs: [{ClusterIp(i)}], ports: [{{name: http, port: 80, protocol: TCP, targetPort: 8080}}]}}}}\n");
            text.Append($"- {{apiVersion: discovery.k8s.io/v1, kind: EndpointSlice, metadata: {{name: svc-{i}-1, namespace: load, labels: {{kubernetes.io/service-name: svc-{i}}}}}, addressType: IPv4, endpoints: [");
            text.AppendJoin(", ", Enumerable.Range(1, EndpointsPerService).Select(k => $"{{addresses: [10.244.{k}.{i % 250 + 1}], conditions: {{ready: true}}, nodeName: node-b}}"));
            text.Append("], ports: [{name: http, port: 8080, protocol: TCP}]}\n");
        }
        text.Append("---\napiVersion: v1\nkind: Node\nmetadata: {name: node-a}\nstatus:\n  addresses: [{type: InternalIP, address: 172.18.0.3}]\n");
        return text.ToString();
    }
}
