using System.Collections.Generic;
using System.Management.Automation;

namespace IpvsTools.Commands;

/// <summary>The -Path of cmdlets that read a cluster snapshot: PowerShell paths with wildcards resolved to files.</summary>
internal static class SnapshotPaths
{
    /// <summary>The files, or null with <paramref name="error"/> (ErrorId PREFIX + SnapshotNotFound) when a path is not a file that exists.</summary>
    public static List<string>? Resolve(PSCmdlet cmdlet, IEnumerable<string> paths, string errorIdPrefix, out ErrorRecord? error)
    {
        error = null;
        var resolved = new List<string>();
        foreach (var p in paths)
        {
            try
            {
                var found = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(p, out var provider);
                if (provider.Name != "FileSystem")
                {
                    error = new ErrorRecord(new System.ArgumentException($"'{p}' is not a file ({provider.Name} provider)."), errorIdPrefix + "SnapshotNotFound", ErrorCategory.InvalidArgument, p);
                    return null;
                }
                resolved.AddRange(found);
            }
            catch (ItemNotFoundException)
            {
                error = new ErrorRecord(new System.ArgumentException($"The snapshot file '{p}' does not exist. Write one with: kubectl get svc,endpointslices -A -o yaml > cluster.yaml"),
                    errorIdPrefix + "SnapshotNotFound", ErrorCategory.ObjectNotFound, p);
                return null;
            }
        }
        return resolved;
    }
}
