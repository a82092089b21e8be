using System.Net;
using IpvsTools.Cluster;
using IpvsTools.Ipsets;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.Tests.Kube;

/// <summary>Small builders for fixture clusters.</summary>
internal static class KubeFixtures
{
    public const string Node = "node-a";

    public static IPAddress IP(string text) => IPAddress.Parse(text);

    public static KubeService Service(string name, string clusterIP, params KubeServicePort[] ports) => new()
    {
        Namespace = "ns",
        Name = name,
        ClusterIPs = clusterIP.Split(',').Select(IPAddress.Parse).ToList(),
        Ports = ports,
    };

    public static KubeServicePort Port(string name, IpvsProtocol protocol, int port, int nodePort = 0) => new(name, protocol, port, nodePort);

    public static KubeEndpoint Endpoint(string address, string? node = null, bool? ready = null, bool? serving = null, bool? terminating = null,
        string[]? zoneHints = null, string[]? nodeHints = null) => new()
    {
        Addresses = [address],
        NodeName = node,
        Ready = ready,
        Serving = serving,
        Terminating = terminating,
        ZoneHints = zoneHints ?? [],
        NodeHints = nodeHints ?? [],
    };

    public static KubeEndpointSlice Slice(string service, string name, KubeAddressType type, KubeEndpointPort[] ports, params KubeEndpoint[] endpoints) => new()
    {
        Namespace = "ns",
        Name = name,
        Labels = new Dictionary<string, string> { [KubeEndpointSlice.ServiceNameLabel] = service },
        AddressType = type,
        Ports = ports,
        Endpoints = endpoints,
    };

    public static KubeEndpointPort EPort(string? name, IpvsProtocol protocol, int port) => new(name, protocol, port);

    public static KubeNode NodeObject(string zone = "z1", string ip = "172.18.0.3") => new()
    {
        Name = Node,
        Labels = new Dictionary<string, string> { [KubeNode.ZoneLabel] = zone },
        Addresses = [new KubeNodeAddress("InternalIP", ip)],
    };

    public static KubeProxyOptions Options(params string[] nodeAddresses) => new()
    {
        NodeName = Node,
        NodeAddresses = nodeAddresses.Select(IPAddress.Parse).ToList(),
    };

    public static KubeDesiredState Build(KubeProxyOptions options, KubeService[] services, KubeEndpointSlice[] slices, params KubeNode[] nodes)
        => KubeProxyState.Build(new ClusterSnapshot(services, slices, nodes), options);

    /// <summary>"TCP 10.96.0.10:53 rr -> 10.244.0.5:53, 10.244.1.7:53" for each virtual server.</summary>
    public static string[] Table(KubeDesiredState state) => state.VirtualServers
        .Select(v => $"{v.Key.DisplayName} {v.Scheduler}" + (v.Flags != 0 ? $" flags={v.Flags}" : "") + (v.Timeout != 0 ? $" timeout={v.Timeout}" : "")
                     + " -> " + string.Join(", ", v.Destinations.Select(d => d.ToString())))
        .ToArray();

    public static string[] Members(KubeDesiredState state, string set) => state.Ipset(set)!.Members.ToArray();
}
