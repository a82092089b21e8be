using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;

namespace IpvsTools.Commands;

/// <summary>
/// Import-IpvsConfig: applies a file of ipvsadm commands as `ipvsadm -R` does, after checking every line
/// (syntax, and against the table it will meet); a file with any bad line applies nothing.
/// </summary>
[Cmdlet(VerbsData.Import, "IpvsConfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(IpvsService))]
public sealed class ImportIpvsConfigCommand : IpvsCommandBase
{
    /// <summary>The file to read: what `ipvsadm -S` (or Export-IpvsConfig) wrote, or any `ipvsadm -R` input.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Writes every service of the table after the import.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var ns = CurrentNamespace;
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path!);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"{path} does not exist.", ex), ErrorIdPrefix + "FileNotFound", ErrorCategory.ObjectNotFound, path));
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            WriteError(new ErrorRecord(ex, ErrorIdPrefix + "ReadFailed", ErrorCategory.ReadError, path));
            return;
        }

        var (operations, errors) = IpvsadmRestoreText.Parse(text);
        if (errors.Count > 0)
        {
            ReportLines(path, errors, "InvalidLine", ErrorCategory.InvalidData);
            return;
        }
        var client = ClientFor(ns);
        try
        {
            var conflicts = IpvsConfigPlan.Check(operations, client.GetServices(), IpvsSchedulers.IsKnown);
            if (conflicts.Count > 0)
            {
                ReportLines(path, conflicts, "LineConflict", ErrorCategory.InvalidOperation);
                return;
            }
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, path);
            return;
        }

        var applied = 0;
        for (var index = 0; index < operations.Count; index++)
        {
            var operation = operations[index];
            if (!ShouldProcess(operation.Target, $"{operation.Description} (line {operation.Line} of {path}){Where(ns)}")) continue;
            try
            {
                client.Apply(operation);
                applied++;
            }
            catch (IpvsToolsException ex)
            {
                var rest = operations.Count - index - 1;
                var wrapped = new IpvsToolsException(
                    $"{path} line {operation.Line} ({operation.Text}): {ex.Message} {applied} earlier line{(applied == 1 ? " was" : "s were")} applied; this one and the {rest} after it were not.",
                    ex.Kind, ex);
                Report(wrapped, $"{path}:{operation.Line}");
                return;
            }
        }
        if (PassThru)
        {
            try
            {
                WriteObject(client.GetServices(), enumerateCollection: true);
            }
            catch (IpvsToolsException ex)
            {
                Report(ex, NetworkNamespace);
            }
        }
    }

    private void ReportLines(string path, IReadOnlyList<IpvsConfigLineError> errors, string condition, ErrorCategory category)
    {
        var count = errors.Count;
        foreach (var error in errors)
        {
            var message = $"{path} line {error.Line}: {error.Message} ({error.Text}). Nothing was applied: {count} line{(count == 1 ? " is" : "s are")} bad.";
            WriteError(new ErrorRecord(new IpvsConfigException(path, [error]), ErrorIdPrefix + condition, category, $"{path}:{error.Line}")
            {
                ErrorDetails = new ErrorDetails(message),
            });
        }
    }
}
