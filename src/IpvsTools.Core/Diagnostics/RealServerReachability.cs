using System;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Ipvs;

namespace IpvsTools.Diagnostics;

/// <summary>One real server (IPVS mode) or endpoint (iptables and nftables mode) of a tested service: where it is, its weight, and how a direct probe of it went.</summary>
public sealed class RealServerReachability
{
    public RealServerReachability(IPAddress address, ushort port, int? weight, bool inIpvs, bool? inEndpointSlices, ProbeOutcome probe)
    {
        Address = address ?? throw new ArgumentNullException(nameof(address));
        Port = port;
        Weight = weight;
        InIpvs = inIpvs;
        InEndpointSlices = inEndpointSlices;
        Reachable = probe?.Answered;
        LatencyMilliseconds = probe?.LatencyMilliseconds;
        Detail = probe?.Detail ?? "not probed";
    }

    public IPAddress Address { get; }
    public ushort Port { get; }

    /// <summary>"10.244.1.5:8080" or "[fd00::5]:8080".</summary>
    public string Destination => IpvsAddressText.FormatEndpoint(Address.AddressFamily, Address, Port);

    /// <summary>Its IPVS weight; null when it is only in the EndpointSlices, not in IPVS.</summary>
    public int? Weight { get; }

    /// <summary>In the node's data plane: a real server of the virtual server in IPVS, or a DNAT target of the front end in iptables and nftables mode.</summary>
    public bool InIpvs { get; }

    /// <summary>An endpoint of the Service's EndpointSlices; null without a cluster source.</summary>
    public bool? InEndpointSlices { get; }

    /// <summary>It answered a direct probe; null when not probed (or a UDP service that need not answer).</summary>
    public bool? Reachable { get; }

    /// <summary>Time to connect (TCP) or to the answer (UDP), in milliseconds; null when it did not answer.</summary>
    public double? LatencyMilliseconds { get; }

    /// <summary>How the probe went, in words.</summary>
    public string Detail { get; }

    public override string ToString() => $"{Destination} {(Reachable switch { true => "answers", false => "FAILS", null => "-" })} {Detail}";
}
