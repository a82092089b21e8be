using System.IO;
using System.Management.Automation;
using System.Text;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>Export-IpvsConfig: the IPVS table as `ipvsadm -Sn` writes it, byte for byte, as lines or into a file.</summary>
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

    protected override void ProcessRecord()
    {
        var ns = CurrentNamespace;
        var client = ClientFor(ns);
        string text;
        System.Collections.Generic.IReadOnlyList<string> lines;
        try
        {
            var services = client.GetServices();
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
