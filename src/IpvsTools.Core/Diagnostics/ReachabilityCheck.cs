using System;
using System.Collections.Generic;
using System.Linq;

namespace IpvsTools.Diagnostics;

/// <summary>
/// One check of <see cref="ServiceReachability"/>: its name, its result (true passed, false failed,
/// null not tested: never false for what was not tested) and what was seen.
/// </summary>
public sealed class ReachabilityCheck
{
    public ReachabilityCheck(string name, bool? result, string detail)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        Result = result;
        Detail = detail ?? "";
    }

    /// <summary>What was checked, for example "VIP on kube-ipvs0".</summary>
    public string Name { get; }

    /// <summary>True: passed. False: failed. Null: not tested (does not apply, or could not be read).</summary>
    public bool? Result { get; }

    /// <summary>What was seen, in one sentence.</summary>
    public string Detail { get; }

    /// <summary>"Pass", "FAIL" or "-" (not tested).</summary>
    public string Status => Result switch { true => "Pass", false => "FAIL", null => "-" };

    public override string ToString() => $"{Status} {Name}: {Detail}";

    /// <summary>The probes to each real server or endpoint (<paramref name="noun"/>: "real server", "endpoint"): failed when one refused or timed out.</summary>
    internal static ReachabilityCheck OfProbes(IReadOnlyList<RealServerReachability> servers, string noun)
    {
        var name = ReachabilityCheckNames.RealServerProbes;
        if (servers.Count == 0) return new(name, null, $"no {noun}s to probe");
        var failed = servers.Where(s => s.Reachable == false).ToList();
        if (failed.Count > 0) return new(name, false, string.Join("; ", failed.Select(s => $"{s.Destination} {s.Detail}")));
        var answered = servers.Where(s => s.Reachable == true).ToList();
        if (answered.Count == 0) return new(name, null, $"no {noun} answered or refused (UDP services need not answer)");
        return new(name, true, $"{answered.Count} of {ServiceReachabilityTester.Count(servers.Count, noun)} answer" + (answered.Count == servers.Count ? "" : " (the others need not)")
            + ", slowest " + ProbeOutcome.Milliseconds(answered.Max(s => s.LatencyMilliseconds ?? 0)));
    }
}

/// <summary>The names of the checks, in the order they are reported.</summary>
internal static class ReachabilityCheckNames
{
    public const string VipOnKubeIpvs0 = "VIP on kube-ipvs0";
    public const string VirtualServer = "Virtual server";
    public const string SchedulerModule = "Scheduler module";
    public const string RealServers = "Real servers with weight";
    public const string EndpointSlices = "Real servers match EndpointSlices";
    public const string Ipsets = "ipset members";
    public const string Iptables = "iptables chains and jumps";
    public const string Conntrack = "UDP conntrack";
    public const string VipProbe = "Probe through the VIP";
    public const string SourceProbe = "Probe from the source namespace";
    public const string RealServerProbes = "Probe of each real server";

    public static readonly string[] All =
        [VipOnKubeIpvs0, VirtualServer, SchedulerModule, RealServers, EndpointSlices, Ipsets, Iptables, Conntrack, VipProbe, SourceProbe, RealServerProbes];
}
