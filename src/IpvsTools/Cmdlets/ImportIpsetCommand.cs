using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using IpvsTools.Ipsets;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>
/// Import-Ipset: applies what `ipset restore` reads (the output of `ipset save` or Export-Ipset, or
/// commands written by hand), after checking every line against the kernel's sets first.
/// </summary>
[Cmdlet(VerbsData.Import, "Ipset", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = PathSet)]
[OutputType(typeof(Ipset))]
public sealed class ImportIpsetCommand : IpsetCmdlet
{
    private const string PathSet = "Path";
    private const string TextSet = "Text";
    private readonly StringBuilder _text = new();
    private IpvsTools.Namespaces.NetworkNamespace? _ns;
    private string _source = "";

    /// <summary>A file in `ipset restore` format.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Lines (or whole texts) in `ipset restore` format, for example from Export-Ipset or Get-Content.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = TextSet)]
    [AllowEmptyString]
    [AllowNull]
    public string[]? InputObject { get; set; }

    /// <summary>Passes over sets and members that already exist and members already gone, as ipset restore -exist does.</summary>
    [Parameter]
    public SwitchParameter Exist { get; set; }

    /// <summary>Writes the sets the import created or changed.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override object? ErrorTarget => ParameterSetName == PathSet ? Path : "ipset restore text";

    protected override void Process()
    {
        _ns = ResolveNetworkNamespace();
        if (ParameterSetName == PathSet)
        {
            var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            _source = path;
            try
            {
                _text.Append(File.ReadAllText(path));
            }
            catch (IOException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorIdPrefix + "ReadFailed", ErrorCategory.ReadError, path));
            }
            catch (System.UnauthorizedAccessException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorIdPrefix + "ReadFailed", ErrorCategory.PermissionDenied, path));
            }
            return;
        }
        foreach (var text in InputObject ?? [])
        {
            _text.Append(text).Append('\n');
        }
    }

    protected override void EndProcessing()
    {
        try
        {
            Import();
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, ErrorTarget);
        }
    }

    private void Import()
    {
        var script = IpsetRestoreParser.Parse(_text.ToString());
        if (Refused(script.Errors)) return;
        var client = Client(_ns);
        var errors = IpsetRestoreValidator.Validate(script, client.ListHeaders(),
            name => client.List(name).SelectMany(s => s.Members).Select(m => m.Element).ToList(), Exist);
        if (Refused(errors)) return;

        var result = client.Restore(script, Exist, step => ShouldProcess(step.Target + Where(_ns), step.Action));
        if (result.Failure is { } failure)
        {
            var message = $"{failure.Message} The import stopped there: {result.LinesApplied} line(s) before it were applied, and the kernel keeps them.";
            Report(new IpvsToolsException(message, failure.Kind, failure), Target(failure));
        }
        WriteVerbose($"Import-Ipset{Where(_ns)}: {result.LinesApplied} line(s) applied, {result.LinesSkipped} skipped, in {result.Requests} request(s).");
        if (PassThru)
        {
            foreach (var name in result.Sets)
            {
                if (client.FindHeader(name) is not null) PassThruSet(client, name);
            }
        }
    }

    /// <summary>
    /// Writes ONE error for a refused file: how many lines were refused, the first few with their reasons,
    /// that nothing was imported, and what to do (-Exist when sets or members are already there).
    /// </summary>
    private bool Refused(System.Collections.Generic.IReadOnlyList<IpsetRestoreException> errors)
    {
        if (errors.Count == 0) return false;
        var refusal = new IpsetRestoreRefusedException(errors, _source.Length > 0 ? _source : null, Exist);
        var first = errors[0];
        WriteError(new ErrorRecord(refusal, ErrorIdPrefix + "InvalidLine", Category(refusal.Kind), errors.Count == 1 ? Target(first) : (_source.Length > 0 ? _source : "ipset restore text")));
        return true;
    }

    /// <summary>"file:line" for a file, "line N" for piped text.</summary>
    private string Target(IpsetRestoreException error) => _source.Length > 0 ? $"{_source}:{error.LineNumber}" : $"line {error.LineNumber}";
}
