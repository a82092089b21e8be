using System;
using System.Globalization;
using System.Management.Automation;
using IpvsTools.Cluster;
using IpvsTools.KubeProxy;

namespace IpvsTools.Commands;

/// <summary>
/// What the cmdlets that take kube-proxy's settings share: -Config (a KubeProxyConfiguration or the
/// kube-proxy ConfigMap, read through the cluster adapter; a mode other than ipvs refused) and
/// -NodePortRange ("30000-32767").
/// </summary>
internal static class KubeProxyConfigInput
{
    /// <summary>The configuration at <paramref name="path"/>, or null with <paramref name="error"/> set; a mode other than ipvs is refused unless <paramref name="anyMode"/>.</summary>
    public static KubeProxyConfigFile? Read(PSCmdlet cmdlet, string path, string errorIdPrefix, out ErrorRecord? error, bool anyMode = false)
    {
        error = null;
        string file;
        try
        {
            file = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
        }
        catch (Exception ex) when (ex is ProviderNotFoundException or DriveNotFoundException or NotSupportedException or PSArgumentException)
        {
            error = new ErrorRecord(new ArgumentException($"-Config: '{path}' is not a file path ({ex.Message})."), errorIdPrefix + "ConfigNotFound", ErrorCategory.InvalidArgument, path);
            return null;
        }
        KubeProxyConfigFile config;
        try
        {
            config = ClusterSources.ReadProxyConfig(file);
        }
        catch (ClusterSourceException ex)
        {
            error = new ErrorRecord(ex, errorIdPrefix + (ex.Kind == FailureKind.NotFound ? "ConfigNotFound" : ex.Kind == FailureKind.PermissionDenied ? "ConfigUnreadable" : "ConfigInvalid"),
                IpvsToolsCmdlet.Category(ex.Kind), path);
            return null;
        }
        if (!config.IsIpvsMode && !anyMode)
        {
            var mode = config.Mode.Length == 0 ? "no mode (kube-proxy then runs in iptables mode)" : $"mode '{config.Mode}'";
            error = new ErrorRecord(new InvalidOperationException($"The kube-proxy configuration {config.Source} has {mode}, not ipvs: this node is not proxied by IPVS, so there is nothing of kube-proxy's IPVS mode to build."),
                errorIdPrefix + "ConfigModeNotIpvs", ErrorCategory.InvalidData, path);
            return null;
        }
        return config;
    }

    /// <summary>"30000-32767" (the API server's --service-node-port-range) as its first and last port; false when malformed.</summary>
    public static bool TryParseRange(string text, out int first, out int last)
    {
        first = last = 0;
        var parts = text.Split('-', 2, StringSplitOptions.TrimEntries);
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out first)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out last))
            return first >= 1 && last <= 65535 && first <= last;
        // "30000+2767": a base and a size, as the API server also takes it.
        parts = text.Split('+', 2, StringSplitOptions.TrimEntries);
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out first)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            last = first + size;
            return first >= 1 && last <= 65535;
        }
        return false;
    }
}
