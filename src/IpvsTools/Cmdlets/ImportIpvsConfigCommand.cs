using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Text;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

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

        // Every line is offered to -WhatIf/-Confirm first; the approved ones then go to the kernel hundreds
        // per system call, in order. After a refused line nothing more is sent. ShouldProcess gets the words
        // its two-string form would make (ShouldProcessText): the same prompts, without a resource lookup
        // per line.
        var approved = Approve(operations, $" of {path}){Where(ns)}");
        if (approved.Count > 0)
        {
            IpvsApplyResult result;
            try
            {
                result = client.ApplyAll(approved);
            }
            catch (IpvsToolsException ex)
            {
                Report(ex, path);
                return;
            }
            if (result.Failures.Count > 0)
            {
                ReportRefusals(path, approved, result);
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

    // Compiled optimized at once (not first unoptimized, then again): it runs once per line, 110,000 times
    // for a large file, in a process that runs it once.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private List<IpvsConfigOperation> Approve(IReadOnlyList<IpvsConfigOperation> operations, string where)
    {
        var approved = new List<IpvsConfigOperation>(operations.Count);
        var words = ShouldProcessText.Current();
        foreach (var operation in operations)
        {
            var action = string.Concat(operation.Description, " (line ", operation.Line.ToString(CultureInfo.CurrentCulture), where);
            if (ShouldProcess(words.Describe(operation.Target, action), null, null)) approved.Add(operation);
        }
        return approved;
    }

    private void ReportRefusals(string path, List<IpvsConfigOperation> approved, IpvsApplyResult result)
    {
        var lastSent = approved[result.Sent - 1].Line;
        var notSent = result.Count - result.Sent;
        var refused = result.Failures.Count;
        var tally = $"Of the {result.Count} line{(result.Count == 1 ? "" : "s")} to apply, {result.Applied} {(result.Applied == 1 ? "was" : "were")} applied, " +
            $"{refused} refused{(refused > 1 ? " (this one among them)" : "")} and {(notSent == 0 ? "none" : $"the {notSent}")} after line {lastSent} not sent.";
        foreach (var failure in result.Failures)
        {
            var operation = failure.Operation;
            var wrapped = new IpvsToolsException($"{path} line {operation.Line} ({operation.Text}): {failure.Error.Message} {tally}", failure.Error.Kind, failure.Error);
            Report(wrapped, $"{path}:{operation.Line}");
        }
    }

    // One refusal, one error: every bad line of the file in one record (the first MaxLinesShown in its
    // message, all of them in the exception's Errors), and what to do about them.
    private const int MaxLinesShown = 20;

    private void ReportLines(string path, IReadOnlyList<IpvsConfigLineError> errors, string condition, ErrorCategory category)
    {
        var count = errors.Count;
        var message = new StringBuilder();
        message.Append(CultureInfo.CurrentCulture, $"{path}: nothing was applied: {count} line{(count == 1 ? " is" : "s are")} bad.");
        for (var i = 0; i < count && i < MaxLinesShown; i++)
            message.Append('\n').Append("  ").Append(errors[i].ToString());
        if (count > MaxLinesShown)
            message.Append('\n').Append(CultureInfo.CurrentCulture, $"  ... and {count - MaxLinesShown} more ($Error[0].Exception.Errors lists every one).");
        message.Append('\n').Append(condition == "LineConflict"
            ? "These lines do not fit the table they would meet. To replace the table with the file, clear it first (Clear-IpvsService, or -C as the file's first line); otherwise remove or correct these lines."
            : "Correct or remove these lines (ipvsadm -R syntax, as ipvsadm -S and Export-IpvsConfig write it), then import again.");
        WriteError(new ErrorRecord(new IpvsConfigException(path, errors), ErrorIdPrefix + condition, category, path)
        {
            ErrorDetails = new ErrorDetails(message.ToString()),
        });
    }
}
