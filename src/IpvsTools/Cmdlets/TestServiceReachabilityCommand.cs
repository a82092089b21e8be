using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading;

namespace IpvsTools.Commands;

/// <summary>
/// Test-ServiceReachability: why a Service's VIP does or does not answer on this node. One result per
/// target (VIP, port, protocol): Reachable, a one-sentence Reason, each check (true, false, or null for
/// not tested) and each real server probed directly with its latency. Reads and probes only.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "ServiceReachability", DefaultParameterSetName = AddressSet)]
[OutputType(typeof(ServiceReachability), typeof(bool))]
public sealed class TestServiceReachabilityCommand : IpvsToolsCmdlet
{
    private const string AddressSet = "Address";
    private const string ServicePathSet = "ServicePath";
    private const string ServiceLiveSet = "ServiceLive";

    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, ReachabilityNode> _nodes = new(StringComparer.Ordinal);
    private ClusterSnapshot? _snapshot;

    /// <summary>The virtual address (a ClusterIP, external or load-balancer IP, or a node address for a NodePort). Binds from piped IpvsService objects.</summary>
    [Parameter(ParameterSetName = AddressSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [IPAddressTransformation]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(IpvsServiceAddressCompleter))]
    public IPAddress? Address { get; set; }

    /// <summary>The virtual port.</summary>
    [Parameter(ParameterSetName = AddressSet, Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 65535)]
    [ArgumentCompleter(typeof(IpvsServicePortCompleter))]
    public ushort Port { get; set; }

    /// <summary>Tcp (default), Udp or Sctp.</summary>
    [Parameter(ParameterSetName = AddressSet, Position = 2, ValueFromPipelineByPropertyName = true)]
    [ValidateSet("Tcp", "Udp", "Sctp", IgnoreCase = true)]
    public IpvsProtocol Protocol { get; set; } = IpvsProtocol.Tcp;

    /// <summary>Kubernetes Services as namespace/name (kube-system/kube-dns): each virtual server kube-proxy would program for them is tested against the cluster source.</summary>
    [Parameter(ParameterSetName = ServicePathSet, Mandatory = true, Position = 0)]
    [Parameter(ParameterSetName = ServiceLiveSet, Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    /// <summary>Snapshot files (kubectl get svc,endpointslices -A -o yaml); wildcards allowed.</summary>
    [Parameter(ParameterSetName = ServicePathSet, Mandatory = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>The kubeconfig file. Omitted: the in-cluster service account, else $KUBECONFIG or ~/.kube/config.</summary>
    [Parameter(ParameterSetName = ServiceLiveSet)]
    [ValidateNotNullOrEmpty]
    public string? Kubeconfig { get; set; }

    /// <summary>The kubeconfig context. Omitted: its current context.</summary>
    [Parameter(ParameterSetName = ServiceLiveSet)]
    [ValidateNotNullOrEmpty]
    public string? Context { get; set; }

    /// <summary>The node's name in the cluster: endpoints on it are local (traffic policies Local). Omitted: the host name.</summary>
    [Parameter(ParameterSetName = ServicePathSet)]
    [Parameter(ParameterSetName = ServiceLiveSet)]
    [ValidateNotNullOrEmpty]
    public string NodeName { get; set; } = Environment.MachineName.ToLowerInvariant();

    /// <summary>The scheduler kube-proxy uses (--ipvs-scheduler), checked as loaded when a virtual server is missing. Default rr.</summary>
    [Parameter]
    [ValidateSet("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos")]
    public string Scheduler { get; set; } = "rr";

    /// <summary>Seconds each probe waits for an answer (probes run side by side). Default 3.</summary>
    [Parameter]
    [ValidateRange(1, 300)]
    public int TimeoutSeconds { get; set; } = 3;

    /// <summary>Detailed (default): a result object per target. Quiet: only $true or $false per target.</summary>
    [Parameter]
    [ValidateSet("Quiet", "Detailed")]
    public string InformationLevel { get; set; } = "Detailed";

    /// <summary>The iptables backend to read: NfTables or Legacy. Omitted: the system's default iptables.</summary>
    [Parameter]
    [ValidateSet("NfTables", "Legacy")]
    public IptablesBackend? IptablesBackend { get; set; }

    protected override void ProcessRecord()
    {
        var ns = ResolveNetworkNamespace();
        var targets = ParameterSetName == AddressSet ? AddressTargets() : ServiceTargets(ns);
        if (targets.Count == 0) return;
        var node = Node(ns);
        var options = new ReachabilityOptions { Timeout = TimeSpan.FromSeconds(TimeoutSeconds), Scheduler = Scheduler };
        foreach (var target in targets)
        {
            ServiceReachability result;
            try
            {
                WriteVerbose($"Testing {target.Key.DisplayName}" + (target.Service is null ? "" : $" ({target.Service})"));
                result = ServiceReachabilityTester.TestAsync(node, target, options, _stop.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (InformationLevel == "Quiet") WriteObject(result.Reachable);
            else WriteObject(result);
        }
    }

    protected override void StopProcessing() => _stop.Cancel();

    private List<ReachabilityTarget> AddressTargets()
    {
        try
        {
            return [new ReachabilityTarget(IpvsServiceKey.ForAddress(Protocol, Address!, Port))];
        }
        catch (IpvsToolsException ex)
        {
            WriteError(ErrorFor(ex, Address));
            return [];
        }
    }

    private List<ReachabilityTarget> ServiceTargets(Netlink.NetworkNamespace? ns)
    {
        var snapshot = Snapshot();
        if (snapshot is null) return [];
        KubeDesiredState desired;
        try
        {
            var options = new KubeProxyOptions { NodeName = NodeName, Scheduler = Scheduler, NodeAddresses = KubeNodeReader.LocalAddresses(ns) };
            desired = KubeProxyState.Build(snapshot, options);
        }
        catch (IpvsToolsException ex)
        {
            ThrowTerminatingError(ErrorFor(ex, NetworkNamespace));
            return [];
        }
        var targets = new List<ReachabilityTarget>();
        foreach (var name in Service!)
        {
            var found = ReachabilityTarget.ForService(desired, name);
            if (found.Count > 0)
            {
                targets.AddRange(found);
                continue;
            }
            var skipped = desired.Skipped.FirstOrDefault(s => s.Service.ToString() == name);
            var message = skipped is not null
                ? $"kube-proxy programs nothing for Service '{name}': {skipped.Reason}."
                : snapshot.Services.Any(s => s.ToString() == name)
                    ? $"kube-proxy programs no virtual server for Service '{name}' on this node."
                    : $"There is no Service '{name}' in {snapshot} (name it as namespace/name, for example kube-system/kube-dns).";
            WriteError(ErrorFor(message, "ServiceNotFound", ErrorCategory.ObjectNotFound, name));
        }
        return targets;
    }

    private ClusterSnapshot? Snapshot()
    {
        if (_snapshot is not null) return _snapshot;
        List<string>? paths = null;
        if (Path is not null)
        {
            paths = SnapshotPaths.Resolve(this, Path, ErrorIdPrefix, out var error);
            if (error is not null) ThrowTerminatingError(error);
        }
        try
        {
            _snapshot = paths is not null
                ? ClusterSources.ReadSnapshot(paths)
                : ClusterSources.ReadLive(Kubeconfig, Context, NodeName, _stop.Token);
        }
        catch (ClusterSourceException ex)
        {
            ThrowTerminatingError(ErrorFor(ex, (object?)ex.SourceName ?? Kubeconfig, "Cluster" + Condition(ex.Kind)));
        }
        catch (OperationCanceledException)
        {
        }
        return _snapshot;
    }

    private ReachabilityNode Node(Netlink.NetworkNamespace? ns)
    {
        var id = ns?.Path ?? "";
        if (_nodes.TryGetValue(id, out var node)) return node;
        try
        {
            node = ReachabilityNode.Read(ns, IptablesBackend);
        }
        catch (IpvsToolsException ex)
        {
            ThrowTerminatingError(ErrorFor(ex, NetworkNamespace));
            throw;
        }
        return _nodes[id] = node;
    }
}
