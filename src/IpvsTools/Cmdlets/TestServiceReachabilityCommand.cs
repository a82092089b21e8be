using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using IpvsTools.Cluster;
using IpvsTools.Diagnostics;
using IpvsTools.Iptables;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.AnyMode;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Namespaces;
using IpvsTools.Sync;

namespace IpvsTools.Commands;

/// <summary>
/// Test-ServiceReachability: why a Service's VIP does or does not answer on this node. One result per
/// target (VIP, port, protocol): Reachable, a one-sentence Reason, each check (true, false, or null for
/// not tested) and each real server probed directly with its latency. Reads and probes only.
/// The checks follow kube-proxy's mode (-Mode, detected by default): IPVS mode's virtual servers, ipsets and rules,
/// or iptables and nftables mode's front ends, hooks and sysctls; the probes are the same in every mode.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "ServiceReachability", DefaultParameterSetName = AddressSet)]
[OutputType(typeof(ServiceReachability), typeof(bool))]
public sealed class TestServiceReachabilityCommand : ClusterSourceCmdlet
{
    private const string AddressSet = "Address";
    private const string ServicePathSet = "ServicePath";
    private const string ServiceLiveSet = "ServiceLive";

    private readonly Dictionary<string, ReachabilityNode> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, KubeProxyMode), ProxyModeNode> _proxyNodes = new();
    private readonly Dictionary<string, KubeProxyMode> _detected = new(StringComparer.Ordinal);
    private ClusterSnapshot? _snapshot;

    /// <summary>The virtual address (a ClusterIP, external or load-balancer IP, or a node address for a NodePort). Binds from piped IpvsService and KubeProxyService objects; 0.0.0.0 or :: (a node port of iptables or nftables mode) is probed on a node address the rules accept.</summary>
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

    /// <summary>
    /// A pod's network namespace (a name under /var/run/netns, a path, or /proc/PID/ns/net) to probe the VIP
    /// from as well as from the node: traffic from a pod meets the rules that traffic from the node skips
    /// (KUBE-IPVS-FILTER, masquerade, hairpin through KUBE-LOOP-BACK when the pod is a real server).
    /// </summary>
    [Parameter]
    [ArgumentCompleter(typeof(NetworkNamespaceCompleter))]
    [ValidateNotNullOrEmpty]
    public string? SourceNetworkNamespace { get; set; }

    /// <summary>kube-proxy's configuration (a KubeProxyConfiguration or the kube-proxy ConfigMap) for the cluster source: scheduler, nodePortAddresses, hostnameOverride... With -Mode Auto or Ipvs a mode other than ipvs is refused; with -Mode Iptables or Nftables it must say that mode.</summary>
    [Parameter(ParameterSetName = ServicePathSet)]
    [Parameter(ParameterSetName = ServiceLiveSet)]
    [ValidateNotNullOrEmpty]
    public string? Config { get; set; }

    /// <summary>kube-proxy's --nodeport-addresses for the cluster source: CIDRs that narrow the NodePort addresses (matched against every interface address, kube-ipvs0's included).</summary>
    [Parameter(ParameterSetName = ServicePathSet)]
    [Parameter(ParameterSetName = ServiceLiveSet)]
    [ValidateNotNullOrEmpty]
    public string[]? NodePortAddress { get; set; }

    /// <summary>Seconds each probe waits for an answer (probes run side by side). Default 3.</summary>
    [Parameter]
    [ValidateRange(1, 300)]
    public int TimeoutSeconds { get; set; } = 3;

    /// <summary>Detailed (default): a result object per target. Quiet: only $true or $false per target.</summary>
    [Parameter]
    [ValidateSet("Quiet", "Detailed")]
    public string InformationLevel { get; set; } = "Detailed";

    /// <summary>
    /// kube-proxy's mode, whose checks are made: Ipvs, Iptables or Nftables. Auto (default) detects it as Get-KubeProxyService
    /// does (nftables, then IPVS, then iptables), and takes IPVS mode when the node has none. Binds from piped KubeProxyService objects.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("Auto", "Ipvs", "Iptables", "Nftables", IgnoreCase = true)]
    public string Mode { get; set; } = "Auto";

    /// <summary>The iptables backend to read: NfTables or Legacy. Omitted: the system's default iptables.</summary>
    [Parameter]
    [ValidateSet("NfTables", "Legacy")]
    public IptablesBackend? IptablesBackend { get; set; }

    protected override void ProcessRecord()
    {
        var ns = ResolveNetworkNamespace();
        IpvsTools.Namespaces.NetworkNamespace? source = null;
        if (SourceNetworkNamespace is not null)
        {
            try
            {
                source = IpvsTools.Namespaces.NetworkNamespace.Resolve(SourceNetworkNamespace);
            }
            catch (IpvsToolsException ex)
            {
                ThrowTerminatingError(ErrorFor(ex, SourceNetworkNamespace, "SourceNetworkNamespace" + Condition(ex.Kind)));
                return;
            }
        }
        var mode = ResolveMode(ns);
        if (mode is null) return;
        var targets = ParameterSetName == AddressSet ? AddressTargets(mode.Value) : ServiceTargets(ns);
        if (targets.Count == 0) return;
        var node = mode == KubeProxyMode.Ipvs ? Node(ns) : null;
        var proxyNode = mode == KubeProxyMode.Ipvs ? null : ProxyNode(ns, mode.Value);
        var options = new ReachabilityOptions { Timeout = TimeSpan.FromSeconds(TimeoutSeconds), Scheduler = _scheduler ?? Scheduler, SourceNamespace = source };
        foreach (var target in targets)
        {
            ServiceReachability result;
            try
            {
                WriteVerbose($"Testing {target.Key.DisplayName} in {mode} mode" + (target.Service is null ? "" : $" ({target.Service})"));
                result = node is not null
                    ? ServiceReachabilityTester.TestAsync(node, target, options, Cancellation).GetAwaiter().GetResult()
                    : ProxyModeReachabilityTester.TestAsync(proxyNode!, target, options, Cancellation).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (InformationLevel == "Quiet") WriteObject(result.Reachable);
            else WriteObject(result);
        }
    }

    private protected override ClusterSourceParameters Source => new(Path, Kubeconfig, Context, NodeName);

    private List<ReachabilityTarget> AddressTargets(KubeProxyMode mode)
    {
        if (mode == KubeProxyMode.Ipvs && (Address!.Equals(IPAddress.Any) || Address.Equals(IPAddress.IPv6Any)))
        {
            WriteError(ErrorFor($"{Address} stands for a node port of iptables or nftables mode (as Get-KubeProxyService gives it); in IPVS mode a node port has a virtual server per node address: give one of them, or -Mode Iptables or Nftables.",
                "UnspecifiedAddress", ErrorCategory.InvalidArgument, Address));
            return [];
        }
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

    private List<ReachabilityTarget> ServiceTargets(IpvsTools.Namespaces.NetworkNamespace? ns)
    {
        if (_proxyOptions is null) return [];
        var snapshot = Snapshot();
        if (snapshot is null) return [];
        KubeDesiredState desired;
        try
        {
            desired = KubeProxyState.Build(snapshot, KubeNodeReader.WithNodeAddresses(_proxyOptions, ns));
            foreach (var warning in desired.Warnings) WriteWarning(warning);
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

    /// <summary>kube-proxy's options for the cluster source: -Config under the explicit parameters; null after an error.</summary>
    private KubeProxyOptions? ProxyOptions()
    {
        var options = new KubeProxyOptions { NodeName = NodeName, Scheduler = Scheduler };
        if (Config is not null)
        {
            // In iptables and nftables mode the configuration says that mode; IPVS mode and Auto keep the IPVS-only refusal.
            var explicitMode = Mode.Equals("Iptables", StringComparison.OrdinalIgnoreCase) || Mode.Equals("Nftables", StringComparison.OrdinalIgnoreCase);
            var file = KubeProxyConfigInput.Read(this, Config, ErrorIdPrefix, out var error, anyMode: explicitMode);
            if (file is null) ThrowTerminatingError(error!);
            if (!explicitMode) _configMode = KubeProxyMode.Ipvs;
            else
            {
                _configMode = file!.Mode.Length == 0 ? KubeProxyMode.Iptables : Enum.TryParse<KubeProxyMode>(file.Mode, true, out var m) ? m : null;
                if (_configMode is { } configured && !configured.ToString().Equals(Mode, StringComparison.OrdinalIgnoreCase))
                {
                    ThrowTerminatingError(ErrorFor($"The kube-proxy configuration {file.Source} has mode {file.Mode}" + (file.Mode.Length == 0 ? "(none, so iptables)" : "") + $", not {Mode.ToLowerInvariant()} (-Mode).",
                        "ConfigModeMismatch", ErrorCategory.InvalidData, Config));
                    return null;
                }
            }
            options = file!.ApplyTo(options);
        }
        var bound = MyInvocation.BoundParameters;
        if (bound.ContainsKey(nameof(NodeName))) options = options with { NodeName = NodeName };
        if (bound.ContainsKey(nameof(Scheduler))) options = options with { Scheduler = Scheduler };
        if (NodePortAddress is not null)
        {
            var cidrs = KubeClusterCmdlet.ParseCidrs(this, ErrorIdPrefix, nameof(NodePortAddress), NodePortAddress);
            if (cidrs is null) return null;
            options = options with { NodePortAddresses = cidrs, NodePortAddressesPrimary = false };
        }
        return options;
    }

    private KubeProxyOptions? _proxyOptions;
    private string? _scheduler;
    private KubeProxyMode? _configMode;

    protected override void BeginProcessing()
    {
        if (ParameterSetName == AddressSet) return;
        _proxyOptions = ProxyOptions();
        if (_proxyOptions is not null)
        {
            _scheduler = _proxyOptions.Scheduler;
            if (_proxyOptions.NodeName is { } name) NodeName = name;
        }
    }

    private ClusterSnapshot? Snapshot()
    {
        if (_snapshot is not null) return _snapshot;
        var paths = ResolveSnapshotPaths(out var error);
        if (error is not null) ThrowTerminatingError(error);
        return _snapshot = ReadCluster(paths);
    }

    /// <summary>The mode to test in: -Mode, or for Auto the one detected in the namespace (IPVS when none is found); null after an error.</summary>
    private KubeProxyMode? ResolveMode(IpvsTools.Namespaces.NetworkNamespace? ns)
    {
        if (!Mode.Equals("Auto", StringComparison.OrdinalIgnoreCase)) return Enum.Parse<KubeProxyMode>(Mode, ignoreCase: true);
        // kube-proxy's own configuration says its mode (Auto with -Config accepts only ipvs, as before -Mode existed).
        if (_configMode is { } configured) return configured;
        var id = ns?.Path ?? "";
        if (_detected.TryGetValue(id, out var known)) return known;
        KubeProxyModeDetection detection;
        try
        {
            detection = KubeProxyModeDetector.Detect(ns, IptablesBackend);
        }
        catch (IpvsToolsException ex)
        {
            ThrowTerminatingError(ErrorFor(ex, NetworkNamespace ?? ""));
            return null;
        }
        foreach (var warning in detection.Warnings) WriteVerbose(warning);
        var mode = detection.Mode ?? KubeProxyMode.Ipvs;
        if (detection.Mode is null) WriteVerbose("No kube-proxy data plane was found; testing with IPVS mode's checks (name a mode with -Mode).");
        else if (detection.Modes.Count > 1)
            WriteWarning($"Testing in {mode} mode; state of {string.Join(" and ", detection.Modes.Skip(1))} mode is on the node too. Name a mode with -Mode.");
        return _detected[id] = mode;
    }

    private ProxyModeNode ProxyNode(IpvsTools.Namespaces.NetworkNamespace? ns, KubeProxyMode mode)
    {
        var id = (ns?.Path ?? "", mode);
        if (_proxyNodes.TryGetValue(id, out var node)) return node;
        try
        {
            node = ProxyModeNode.Read(mode, ns, IptablesBackend);
        }
        catch (IpvsToolsException ex)
        {
            ThrowTerminatingError(ErrorFor(ex, NetworkNamespace));
            throw;
        }
        return _proxyNodes[id] = node;
    }

    private ReachabilityNode Node(IpvsTools.Namespaces.NetworkNamespace? ns)
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
