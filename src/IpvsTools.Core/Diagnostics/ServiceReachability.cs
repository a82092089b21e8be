using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy;
using IpvsTools.Namespaces;

namespace IpvsTools.Diagnostics;

/// <summary>
/// Test-ServiceReachability's answer for one target (a VIP, port and protocol): Reachable, the Reason
/// in one sentence, every check with its result, and each real server with the result of a direct probe.
/// </summary>
public sealed class ServiceReachability
{
    private readonly ReachabilityCheck[] _checks;
    private readonly RealServerReachability[] _realServers;

    public ServiceReachability(IpvsServiceKey key, string? service, bool reachable, string reason, IEnumerable<ReachabilityCheck> checks,
        IEnumerable<RealServerReachability> realServers, ProbeOutcome? vipProbe, string? networkNamespace, string? sourceNetworkNamespace = null,
        KubeProxyMode mode = KubeProxyMode.Ipvs, string? frontEnd = null)
    {
        Mode = mode;
        FrontEnd = frontEnd ?? key.DisplayName;
        Key = key ?? throw new ArgumentNullException(nameof(key));
        Service = service;
        Reachable = reachable;
        Reason = reason ?? "";
        _checks = checks?.ToArray() ?? Array.Empty<ReachabilityCheck>();
        _realServers = realServers?.ToArray() ?? Array.Empty<RealServerReachability>();
        LatencyMilliseconds = vipProbe?.LatencyMilliseconds;
        NetworkNamespace = networkNamespace;
        SourceNetworkNamespace = sourceNetworkNamespace;
    }

    /// <summary>The virtual service tested.</summary>
    public IpvsServiceKey Key { get; }

    /// <summary>"TCP 10.96.0.10:80": what was probed (for a node port, the node address it was probed on).</summary>
    public string Target => Key.DisplayName;

    /// <summary>The kube-proxy mode whose checks were made: Ipvs, Iptables or Nftables.</summary>
    public KubeProxyMode Mode { get; }

    /// <summary>
    /// The front end as the mode's rules hold it: "TCP 0.0.0.0:30080" for a node port in iptables and nftables mode
    /// (probed on a node address, <see cref="Target"/>), else the same as <see cref="Target"/>.
    /// </summary>
    public string FrontEnd { get; }

    public IPAddress? Address => Key.Address;
    public ushort Port => Key.Port;
    public IpvsProtocol Protocol => Key.Protocol;

    /// <summary>The Kubernetes Service ("namespace/name:port") when the target came from a cluster source; else null.</summary>
    public string? Service { get; }

    /// <summary>
    /// True when the VIP answered from every place probed (the node, and the source namespace when given),
    /// whatever else failed (the Reason names what that breaks); without an answer, when no check failed.
    /// </summary>
    public bool Reachable { get; }

    /// <summary>Why, in one sentence: the first failing check in order of cause, or what answered.</summary>
    public string Reason { get; }

    /// <summary>Every check, in order; Result null means not tested.</summary>
    public ReachabilityCheck[] Checks => (ReachabilityCheck[])_checks.Clone();

    /// <summary>The checks that failed.</summary>
    public ReachabilityCheck[] FailedChecks => _checks.Where(c => c.Result == false).ToArray();

    /// <summary>Each real server (IPVS's, and the EndpointSlices' with a cluster source) with its direct probe.</summary>
    public RealServerReachability[] RealServers => (RealServerReachability[])_realServers.Clone();

    /// <summary>The probe through the VIP: milliseconds to connect or answer; null when it did not answer.</summary>
    public double? LatencyMilliseconds { get; }

    public string? NetworkNamespace { get; }

    /// <summary>The namespace the VIP was probed from as well (-SourceNetworkNamespace), or null.</summary>
    public string? SourceNetworkNamespace { get; }

    /// <summary>The result of the named check, or null.</summary>
    public ReachabilityCheck? Check(string name) => _checks.FirstOrDefault(c => c.Name == name);

    public override string ToString() => $"{Target} {(Reachable ? "reachable" : "NOT reachable")}: {Reason}";
}
