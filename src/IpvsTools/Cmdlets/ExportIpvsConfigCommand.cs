using System.IO;
using System.Management.Automation;
using System.Text;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.KubeProxy.Migration;

namespace IpvsTools.Commands;

/// <summary>Export-IpvsConfig: the IPVS table (or with -Foreign only the virtual servers kube-proxy does not own) as `ipvsadm -Sn` writes it, byte for byte, as lines or into a file.</summary>
[Cmdlet(VerbsData.Export, "IpvsConfig", DefaultParameterSetName = LinesSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(string), ParameterSetName = [LinesSet])]
public sealed class ExportIpvsConfigCommand : IpvsCommandBase
{
    private const string LinesSet = "Lines";
    private const string PathSet = "Path";

    /// <summary>A file to write (UTF-8 without BOM, "\n" line ends); omitted: one string per line to the pipeline.</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Refuses to overwrite an existing file.</summary>
    [Parameter(ParameterSetName = PathSet)]
    public SwitchParameter NoClobber { get; set; }

    /// <summary>
    /// Only the virtual servers kube-proxy does not own (keepalived's, kube-vip's...): not on kube-ipvs0, and not a
    /// node address with a port in the NodePort range (Remove-KubeIpvs's rule). Keeps them across kube-proxy's flush
    /// when it starts in nftables mode; restore with `ipvsadm -R` or Import-IpvsConfig.
    /// </summary>
    [Parameter]
    public SwitchParameter Foreign { get; set; }

    /// <summary>With -Foreign: the API server's --service-node-port-range ("30000-32767", the default).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NodePortRange { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryNodePortRange(NodePortRange, out var first, out var last)) return;
        var ns = CurrentNamespace;
        var client = ClientFor(ns);
        string text;
        System.Collections.Generic.IReadOnlyList<string> lines;
        try
        {
            var services = client.GetServices();
            if (Foreign)
            {
                var options = new KubeProxyOptions { NodeAddresses = KubeNodeReader.LocalAddresses(ns), NodePortRangeFirst = first, NodePortRangeLast = last };
                services = KubeProxyForeignServices.Select(services, KubeNodeReader.KubeIpvs0Addresses(ns), options);
            }
            lines = IpvsadmSaveText.FormatLines(services);
            text = IpvsadmSaveText.Format(services);
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, NetworkNamespace);
            return;
        }
        if (Path is null)
        {
            WriteObject(lines, enumerateCollection: true);
            return;
        }
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (NoClobber && File.Exists(path))
        {
            WriteError(new ErrorRecord(new IOException($"{path} exists and -NoClobber was given; nothing was written."), ErrorIdPrefix + "FileExists", ErrorCategory.ResourceExists, path));
            return;
        }
        if (!ShouldProcess(path, $"Write {lines.Count} IPVS rule line{(lines.Count == 1 ? "" : "s")}{Where(ns)}")) return;
        try
        {
            File.WriteAllText(path, text, new UTF8Encoding(false));
        }
        catch (System.Exception ex) when (ex is IOException or System.UnauthorizedAccessException)
        {
            WriteError(new ErrorRecord(ex, ErrorIdPrefix + "WriteFailed", ErrorCategory.WriteError, path));
        }
    }
}
