using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Net;
using IpvsTools.Cluster;
using IpvsTools.Iptables;
using IpvsTools.KubeProxy;
using IpvsTools.Namespaces;
using IpvsTools.Sync;

namespace IpvsTools.Commands;

/// <summary>
/// What the cmdlets that compare a node with a cluster share (Get-KubeIpvsPlan, Compare-KubeIpvs,
/// Sync-KubeIpvs): the cluster source (snapshot files with -Path, or the live API with -Kubeconfig and
/// -Context), kube-proxy's options, checking all of them before the cluster or the kernel is read, and
/// planning the node with the errors of the cluster source and the kernel turned into ErrorRecords.
/// </summary>
public abstract class KubeClusterCmdlet : ClusterSourceCmdlet
{
    /// <summary>The parameter set of the live API.</summary>
    protected const string LiveSet = "Live";

    /// <summary>The parameter set of snapshot files.</summary>
    protected const string PathSet = "Path";

    /// <summary>Snapshot files: what `kubectl get svc,endpointslices -A -o yaml` (or -o json) prints; wildcards allowed.</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>The kubeconfig file. Omitted: the in-cluster service account in a pod, else $KUBECONFIG or ~/.kube/config.</summary>
    [Parameter(ParameterSetName = LiveSet)]
    [ValidateNotNullOrEmpty]
    public string? Kubeconfig { get; set; }

    /// <summary>The kubeconfig context. Omitted: its current context.</summary>
    [Parameter(ParameterSetName = LiveSet)]
    [ValidateNotNullOrEmpty]
    public string? Context { get; set; }

    /// <summary>The node's name in the cluster (kube-proxy's --hostname-override): endpoints on it are local. Omitted: the host name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string NodeName { get; set; } = Environment.MachineName.ToLowerInvariant();

    /// <summary>The IPVS scheduler (kube-proxy's --ipvs-scheduler). Default rr.</summary>
    [Parameter]
    [ValidateKernelScheduler]
    [ArgumentCompleter(typeof(IpvsSchedulerCompleter))]
    public string Scheduler { get; set; } = "rr";

    /// <summary>The node's addresses for NodePorts. Omitted: every address of the node except kube-ipvs0's, read from the kernel.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public IPAddress[]? NodeAddress { get; set; }

    /// <summary>kube-proxy's --nodeport-addresses: CIDRs that narrow the NodePort addresses.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? NodePortAddress { get; set; }

    /// <summary>kube-proxy's --ipvs-exclude-cidrs: virtual servers at these addresses are never touched.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ExcludeCidr { get; set; }

    /// <summary>kube-proxy's --cluster-cidr (one per family): traffic from elsewhere to ClusterIPs is masqueraded.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ClusterCidr { get; set; }

    /// <summary>kube-proxy's --masquerade-all: masquerade all traffic to ClusterIPs.</summary>
    [Parameter]
    public SwitchParameter MasqueradeAll { get; set; }

    /// <summary>
    /// kube-proxy's configuration: a KubeProxyConfiguration file, or the kube-proxy ConfigMap as
    /// `kubectl get cm kube-proxy -n kube-system -o yaml` prints it. Its settings (mode, ipvs.scheduler,
    /// ipvs.excludeCIDRs, ipvs.strictARP, the ipvs timeouts, clusterCIDR, nodePortAddresses,
    /// iptables.masqueradeAll and masqueradeBit, detectLocalMode, detectLocal, hostnameOverride, bindAddress)
    /// apply unless a parameter gives the same setting; a mode other than ipvs is refused.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Config { get; set; }

    /// <summary>The API server's --service-node-port-range ("30000-32767", the default): node-address virtual servers on these ports are the cluster's.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NodePortRange { get; set; }

    /// <summary>kube-proxy's --iptables-masquerade-bit: the fwmark bit of packets to masquerade (default 14, mark 0x4000).</summary>
    [Parameter]
    [ValidateRange(0, 31)]
    public int MasqueradeBit { get; set; } = 14;

    /// <summary>kube-proxy's --detect-local-mode: ClusterCIDR (default, with -ClusterCidr), NodeCIDR (the Node object's podCIDRs), BridgeInterface (-PodBridgeInterface) or InterfaceNamePrefix (-PodInterfaceNamePrefix).</summary>
    [Parameter]
    public KubeLocalMode DetectLocalMode { get; set; }

    /// <summary>kube-proxy's --pod-bridge-interface, for -DetectLocalMode BridgeInterface.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PodBridgeInterface { get; set; }

    /// <summary>kube-proxy's --pod-interface-name-prefix, for -DetectLocalMode InterfaceNamePrefix.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PodInterfaceNamePrefix { get; set; }

    /// <summary>Take the virtual servers that are not the cluster's too (kube-proxy removes them).</summary>
    [Parameter]
    public SwitchParameter IncludeForeign { get; set; }

    /// <summary>The iptables backend: NfTables or Legacy. Omitted: the system's default iptables.</summary>
    [Parameter]
    [ValidateSet("NfTables", "Legacy")]
    public IptablesBackend? IptablesBackend { get; set; }

    /// <summary>The -Config file as read by <see cref="CheckInput"/>; null without one.</summary>
    protected KubeProxyConfigFile? ConfigFile { get; private set; }

    /// <summary>Whether the caller gave parameter <paramref name="name"/> (so it overrides the -Config file).</summary>
    protected bool Given(string name) => MyInvocation.BoundParameters.ContainsKey(name);

    private protected override ClusterSourceParameters Source => new(Path, Kubeconfig, Context, NodeName);

    /// <summary>
    /// Checks what the caller wrote (CIDRs, snapshot paths) before anything is read; null after writing the
    /// error. The paths are null for the live source.
    /// </summary>
    protected (KubeProxyOptions Options, List<string>? Paths)? CheckInput()
    {
        var options = ProxyOptions();
        if (options is null) return null;
        if (options.NodeName is { } node) NodeName = node; // a hostnameOverride of -Config names the Node to read
        var paths = ResolveSnapshotPaths(out var error);
        if (error is not null) WriteError(error);
        if (ParameterSetName == PathSet && paths is null) return null;
        return (options, paths);
    }

    /// <summary>
    /// Builds the desired state, reads the node (or takes the tables <paramref name="prefetch"/> read while the
    /// cluster was read) and plans; a kernel or tool failure is terminating.
    /// </summary>
    protected KubeIpvsPlanning PlanNode(ClusterSnapshot snapshot, KubeProxyOptions options, IpvsTools.Namespaces.NetworkNamespace? ns, KubeNodePrefetch? prefetch = null)
    {
        try
        {
            var planning = KubeIpvsPlanning.Run(snapshot, options, ns, IncludeForeign, IptablesBackend, prefetch);
            if (snapshot.FindNode(options.NodeName) is null)
                WriteVerbose($"The cluster source has no Node '{options.NodeName}': no zone for topology hints, and the node IP comes from the node's addresses.");
            foreach (var warning in planning.Desired.Warnings) WriteWarning(warning);
            foreach (var s in planning.Desired.Skipped) WriteVerbose("Skipped " + s);
            foreach (var key in planning.Plan.Foreign) WriteVerbose("Left alone (not the cluster's): " + key);
            foreach (var d in planning.Plan.Draining) WriteVerbose("Draining (weight 0, removed once its connections end): " + d);
            WriteVerbose($"{planning.Plan.Operations.Count} writes for {planning.Desired.VirtualServers.Count} virtual servers of {snapshot}.");
            WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Built the desired state in {0:F2} s while reading the node, which took {1:F2} s from the start; planned in {2:F2} s.",
                planning.BuildTime.TotalSeconds, planning.ReadTime.TotalSeconds, planning.PlanTime.TotalSeconds));
            return planning;
        }
        catch (IptablesToolMissingException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, ErrorIdPrefix + "ToolNotFound", ErrorCategory.NotInstalled, NetworkNamespace));
            throw; // not reached
        }
        catch (IpvsToolsException ex)
        {
            ThrowTerminatingError(ErrorFor(ex, NetworkNamespace));
            throw; // not reached
        }
    }

    private KubeProxyOptions? ProxyOptions()
    {
        var cidrs = new List<IpNetwork>[3];
        var named = new[] { ("NodePortAddress", NodePortAddress), ("ExcludeCidr", ExcludeCidr), ("ClusterCidr", ClusterCidr) };
        for (var i = 0; i < named.Length; i++)
        {
            cidrs[i] = ParseCidrs(named[i].Item1, named[i].Item2)!;
            if (cidrs[i] is null) return null;
        }
        if (!TryNodePortRange(NodePortRange, out var first, out var last)) return null;
        var options = new KubeProxyOptions { NodeName = NodeName, NodeAddresses = NodeAddress ?? Array.Empty<IPAddress>(), NodePortRangeFirst = first, NodePortRangeLast = last };
        if (Config is not null)
        {
            ConfigFile = KubeProxyConfigInput.Read(this, Config, ErrorIdPrefix, out var error);
            if (ConfigFile is null)
            {
                WriteError(error!);
                return null;
            }
            options = ConfigFile.ApplyTo(options);
            WriteVerbose($"kube-proxy configuration {ConfigFile.Source}: mode ipvs, scheduler {ConfigFile.Scheduler ?? "(default)"}.");
        }
        // Explicit parameters win over the file.
        return options with
        {
            Scheduler = Given(nameof(Scheduler)) || ConfigFile?.Scheduler is null ? Scheduler : options.Scheduler,
            NodeName = Given(nameof(NodeName)) ? NodeName : options.NodeName,
            NodePortAddresses = Given(nameof(NodePortAddress)) ? cidrs[0] : options.NodePortAddresses,
            NodePortAddressesPrimary = !Given(nameof(NodePortAddress)) && options.NodePortAddressesPrimary,
            ExcludeCidrs = Given(nameof(ExcludeCidr)) ? cidrs[1] : options.ExcludeCidrs,
            ClusterCidrs = Given(nameof(ClusterCidr)) ? cidrs[2] : options.ClusterCidrs,
            MasqueradeAll = Given(nameof(MasqueradeAll)) ? MasqueradeAll.IsPresent : options.MasqueradeAll,
            MasqueradeBit = Given(nameof(MasqueradeBit)) ? MasqueradeBit : options.MasqueradeBit,
            DetectLocalMode = Given(nameof(DetectLocalMode)) ? DetectLocalMode : options.DetectLocalMode,
            BridgeInterface = Given(nameof(PodBridgeInterface)) ? PodBridgeInterface : options.BridgeInterface,
            InterfaceNamePrefix = Given(nameof(PodInterfaceNamePrefix)) ? PodInterfaceNamePrefix : options.InterfaceNamePrefix,
        };
    }

    /// <summary>CIDRs of parameter -<paramref name="parameter"/>; null after writing an InvalidCidr error.</summary>
    internal List<IpNetwork>? ParseCidrs(string parameter, string[]? texts) => ParseCidrs(this, ErrorIdPrefix, parameter, texts);

    /// <summary>CIDRs of a parameter, for any cmdlet; null after writing an InvalidCidr error.</summary>
    internal static List<IpNetwork>? ParseCidrs(Cmdlet cmdlet, string errorIdPrefix, string parameter, string[]? texts)
    {
        var list = new List<IpNetwork>();
        foreach (var text in texts ?? Array.Empty<string>())
        {
            if (!IpNetwork.TryParse(text, out var net) || !text.Contains('/'))
            {
                cmdlet.WriteError(new ErrorRecord(new ArgumentException($"-{parameter}: '{text}' is not a CIDR such as 10.96.0.0/12 or fd00::/108."),
                    errorIdPrefix + "InvalidCidr", ErrorCategory.InvalidArgument, text));
                return null;
            }
            list.Add(net!);
        }
        return list;
    }
}
