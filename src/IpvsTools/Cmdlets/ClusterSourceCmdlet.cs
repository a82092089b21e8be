using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using IpvsTools.Cluster;

namespace IpvsTools.Commands;

/// <summary>
/// What the cmdlets that read a cluster share (Get-KubeIpvsPlan, Compare-KubeIpvs, Sync-KubeIpvs through
/// <see cref="KubeClusterCmdlet"/>, and Test-ServiceReachability): the cluster source's parameters -Path
/// (snapshot files), -Kubeconfig and -Context (the live API), -NodeName and -Config, whose values they
/// hand over as a <see cref="ClusterSourceParameters"/>; turning -Path into files; reading the cluster
/// with its failures as errors; stopping on Ctrl+C. The parameters themselves are declared by each cmdlet,
/// since their parameter sets, positions and pipeline binding differ between the two families.
/// </summary>
public abstract class ClusterSourceCmdlet : IpvsToolsCmdlet
{
    private readonly CancellationTokenSource _stop = new();

    /// <summary>The values of the cluster-source parameters as the caller gave them.</summary>
    private protected abstract ClusterSourceParameters Source { get; }

    /// <summary>Cancelled when the pipeline is stopped (Ctrl+C).</summary>
    protected CancellationToken Cancellation => _stop.Token;

    protected override void StopProcessing() => _stop.Cancel();

    /// <summary>
    /// The files -Path names (PowerShell paths, wildcards resolved); null for the live source, and null with
    /// <paramref name="error"/> (ErrorId PREFIX + SnapshotNotFound) when a path is not a file that exists.
    /// </summary>
    protected List<string>? ResolveSnapshotPaths(out ErrorRecord? error)
    {
        error = null;
        if (Source.Path is null) return null;
        var resolved = new List<string>();
        foreach (var p in Source.Path)
        {
            try
            {
                var found = SessionState.Path.GetResolvedProviderPathFromPSPath(p, out var provider);
                if (provider.Name != "FileSystem")
                {
                    error = ErrorFor($"'{p}' is not a file ({provider.Name} provider).", "SnapshotNotFound", ErrorCategory.InvalidArgument, p);
                    return null;
                }
                resolved.AddRange(found);
            }
            catch (ItemNotFoundException)
            {
                error = ErrorFor($"The snapshot file '{p}' does not exist. Write one with: kubectl get svc,endpointslices -A -o yaml > cluster.yaml",
                    "SnapshotNotFound", ErrorCategory.ObjectNotFound, p);
                return null;
            }
        }
        return resolved;
    }

    /// <summary>
    /// Reads the cluster: the snapshot files <paramref name="paths"/>, or (null) the live API once; a failure
    /// is terminating. Null when stopped.
    /// </summary>
    protected ClusterSnapshot? ReadCluster(List<string>? paths)
    {
        try
        {
            var watch = Stopwatch.StartNew();
            var snapshot = paths is not null
                ? ClusterSources.ReadSnapshot(paths)
                : ClusterSources.ReadLive(Source.Kubeconfig, Source.Context, Source.NodeName, Cancellation);
            WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Read the cluster in {0:F2} s: {1}.", watch.Elapsed.TotalSeconds, snapshot));
            return snapshot;
        }
        catch (ClusterSourceException ex)
        {
            ThrowTerminatingError(ClusterError(ex));
            return null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The error record of a cluster source failure.</summary>
    protected ErrorRecord ClusterError(ClusterSourceException ex) => ErrorFor(ex, (object?)ex.SourceName ?? Source.Kubeconfig, "Cluster" + Condition(ex.Kind));
}

/// <summary>
/// The values of a cmdlet's cluster-source parameters: -Path, or -Kubeconfig and -Context (null when not
/// given), and the node's name (-NodeName, or the -Config file's hostnameOverride).
/// </summary>
internal sealed record ClusterSourceParameters(string[]? Path, string? Kubeconfig, string? Context, string NodeName);
