using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text;
using IpvsTools.Ipsets;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>Export-Ipset: the sets as `ipset save` prints them, byte for byte, as text or into a file.</summary>
[Cmdlet(VerbsData.Export, "Ipset", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = TextSet)]
[OutputType(typeof(string), ParameterSetName = [TextSet])]
public sealed class ExportIpsetCommand : IpsetCmdlet
{
    private const string TextSet = "Text";
    private const string PathSet = "Path";
    private readonly List<(IpvsTools.Namespaces.NetworkNamespace? Ns, string[]? Names)> _requests = new();

    /// <summary>Set names; wildcards allowed. Omitted: every set, as `ipset save` saves them.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("SetName")]
    [ArgumentCompleter(typeof(IpsetNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>A file to write the text to (UTF-8, LF line ends), replacing it.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    protected override object? ErrorTarget => (object?)Name ?? NetworkNamespace;

    protected override void Process() => _requests.Add((ResolveNetworkNamespace(), Name));

    protected override void EndProcessing()
    {
        var text = new StringBuilder();
        try
        {
            foreach (var (ns, names) in _requests)
            {
                var client = Client(ns);
                if (names is null)
                {
                    text.Append(IpsetText.FormatSave(client.List()));
                    continue;
                }
                var sets = new List<Ipset>();
                foreach (var header in ResolveSets(client, ns, names)) sets.AddRange(client.List(header.Name));
                text.Append(IpsetText.FormatSave(sets));
            }
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, ErrorTarget);
            return;
        }
        if (ParameterSetName == TextSet)
        {
            WriteObject(text.ToString());
            return;
        }
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (!ShouldProcess(path, "Write the ipsets as `ipset save` prints them")) return;
        try
        {
            File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
        }
        catch (IOException ex)
        {
            WriteError(new ErrorRecord(ex, ErrorIdPrefix + "WriteFailed", ErrorCategory.WriteError, path));
        }
        catch (System.UnauthorizedAccessException ex)
        {
            WriteError(new ErrorRecord(ex, ErrorIdPrefix + "WriteFailed", ErrorCategory.PermissionDenied, path));
        }
    }
}
