using System;
using IpvsTools.Namespaces;

namespace IpvsTools.Diagnostics;

/// <summary>How Test-ServiceReachability runs its checks.</summary>
public sealed record ReachabilityOptions
{
    /// <summary>How long each probe waits for an answer (probes run side by side).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The scheduler kube-proxy uses (--ipvs-scheduler): checked as loaded when a virtual server is missing.</summary>
    public string Scheduler { get; init; } = "rr";

    /// <summary>A pod's network namespace to probe the VIP from as well (traffic that arrives at the node as a client pod's does); null for the node only.</summary>
    public IpvsTools.Namespaces.NetworkNamespace? SourceNamespace { get; init; }
}
