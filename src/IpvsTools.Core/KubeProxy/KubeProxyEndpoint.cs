using System.Net;

namespace IpvsTools.KubeProxy;

/// <summary>
/// Where a front end's traffic ends up: the endpoint (pod) address and port of a DNAT target or IPVS real server.
/// </summary>
/// <param name="Address">The endpoint's address.</param>
/// <param name="Port">The endpoint's port.</param>
/// <param name="Weight">The IPVS weight (IPVS mode only; null in the other modes).</param>
/// <param name="Probability">The share of new connections that reach this endpoint, 0 to 1, as the rules choose it:
/// in iptables mode the product of the statistic matches on the way down the chain, in nftables mode the share of
/// numgen values that go to it. Null in IPVS mode, where the scheduler decides.</param>
public sealed record KubeProxyEndpoint(IPAddress Address, ushort Port, int? Weight = null, double? Probability = null)
{
    /// <summary><c>10.180.0.1:80</c>, or <c>[fd00::1]:80</c>.</summary>
    public override string ToString()
        => (Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + Address + "]" : Address.ToString()) + ":" + Port;
}
