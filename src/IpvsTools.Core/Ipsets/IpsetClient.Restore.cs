using System;
using System.Collections.Generic;
using System.Linq;

namespace IpvsTools.Ipsets;

/// <summary>One step of a restore: a command, or a run of add or del lines for one set sent as batches.</summary>
public sealed record IpsetRestoreStep(IpsetRestoreCommand Command, string Target, string Action, IReadOnlyList<IpsetRestoreLine> Lines);

/// <summary>What a restore did: how many lines were applied, the line that stopped it, the sets it touched.</summary>
public sealed class IpsetRestoreResult
{
    internal IpsetRestoreResult(int linesApplied, int linesSkipped, IpsetRestoreException? failure, IReadOnlyList<string> sets, int requests)
    {
        LinesApplied = linesApplied;
        LinesSkipped = linesSkipped;
        Failure = failure;
        Sets = sets;
        Requests = requests;
    }

    public int LinesApplied { get; }

    /// <summary>Lines the caller chose not to apply (-WhatIf, a "no" to -Confirm).</summary>
    public int LinesSkipped { get; }

    /// <summary>The kernel's refusal that stopped the restore, naming its line; the lines before it stay applied.</summary>
    public IpsetRestoreException? Failure { get; }

    /// <summary>The sets the restore created or changed that still exist, by their final names.</summary>
    public IReadOnlyList<string> Sets { get; }

    public int Requests { get; }
}

public sealed partial class IpsetClient
{
    /// <summary>The steps of a validated script: each command, with consecutive add or del lines of one set together.</summary>
    public static IReadOnlyList<IpsetRestoreStep> Steps(IpsetRestoreScript script)
    {
        var steps = new List<IpsetRestoreStep>();
        var lines = script.Lines;
        for (var i = 0; i < lines.Count;)
        {
            var line = lines[i];
            var end = i + 1;
            if (line.Command is IpsetRestoreCommand.Add or IpsetRestoreCommand.Delete)
            {
                while (end < lines.Count && lines[end].Command == line.Command && lines[end].SetName == line.SetName && lines[end].Exist == line.Exist) end++;
            }
            var group = lines.Skip(i).Take(end - i).ToList();
            var span = group.Count == 1 ? $"line {line.LineNumber}" : $"lines {line.LineNumber}-{group[^1].LineNumber}";
            var (target, action) = line.Command switch
            {
                IpsetRestoreCommand.Create when line.SetExists =>
                    (line.SetName!, $"Keep the existing ipset (-Exist: the kernel leaves a set of the same type and options as it is, and refuses other options: {line.CreateOptions}) ({span})"),
                IpsetRestoreCommand.Create => (line.SetName!, $"Create ipset ({line.CreateOptions}) ({span})"),
                IpsetRestoreCommand.Add => (line.SetName!, $"Add {Count(group)} ({span})"),
                IpsetRestoreCommand.Delete => (line.SetName!, $"Remove {Count(group)} ({span})"),
                IpsetRestoreCommand.Test => (line.SetName!, $"Test member {line.ElementText} ({span})"),
                IpsetRestoreCommand.Destroy => (line.SetName ?? "every ipset", $"Destroy ({span})"),
                IpsetRestoreCommand.Flush => (line.SetName ?? "every ipset", $"Remove all members ({span})"),
                IpsetRestoreCommand.Rename => (line.SetName!, $"Rename ipset to '{line.OtherName}' ({span})"),
                _ => (line.SetName!, $"Swap the members with ipset '{line.OtherName}' ({span})"),
            };
            steps.Add(new IpsetRestoreStep(line.Command, target, action, group));
            i = end;
        }
        return steps;

        static string Count(List<IpsetRestoreLine> group) => group.Count == 1 ? "member " + group[0].Entry : $"{group.Count} members";
    }

    /// <summary>
    /// Applies a script that <see cref="IpsetRestoreValidator"/> passed, step by step, stopping at the
    /// first refusal of the kernel as `ipset restore` does (the lines before it stay applied). A step
    /// for which <paramref name="shouldApply"/> says no is skipped.
    /// </summary>
    public IpsetRestoreResult Restore(IpsetRestoreScript script, bool exist = false, Func<IpsetRestoreStep, bool>? shouldApply = null)
    {
        if (script.Errors.Count > 0) throw new InvalidOperationException("The script has refused lines; validate it first.");
        var applied = 0;
        var skipped = 0;
        var requests = 0;
        var touched = new List<string>();
        void Touch(string name)
        {
            if (!touched.Contains(name)) touched.Add(name);
        }
        foreach (var step in Steps(script))
        {
            if (shouldApply is not null && !shouldApply(step))
            {
                skipped += step.Lines.Count;
                continue;
            }
            var first = step.Lines[0];
            var lineExist = exist || first.Exist;
            try
            {
                switch (step.Command)
                {
                    case IpsetRestoreCommand.Create:
                        requests += 2;
                        Create(first.SetName!, first.CreateOptions!, lineExist);
                        Touch(first.SetName!);
                        break;
                    case IpsetRestoreCommand.Add:
                    case IpsetRestoreCommand.Delete:
                    {
                        var entries = step.Lines.Select(l => l.Entry ?? throw new InvalidOperationException($"Line {l.LineNumber} was not validated.")).ToList();
                        var lines = step.Lines.Select(l => (uint)l.LineNumber).ToList();
                        var result = step.Command == IpsetRestoreCommand.Add
                            ? Add(first.SetName!, entries, lineExist, lines, stopAtFirstFailure: true)
                            : Delete(first.SetName!, entries, lineExist, lines, stopAtFirstFailure: true);
                        requests += result.Requests;
                        applied += result.AppliedCount;
                        Touch(first.SetName!);
                        if (!result.Succeeded)
                        {
                            var failed = result.Outcomes.FirstOrDefault(o => o.Outcome == IpsetOutcome.Failed)
                                ?? result.Outcomes.First(o => o.Outcome != IpsetOutcome.Applied);
                            var line = step.Lines[failed.Index];
                            var error = failed.Error ?? result.StoppedBy!;
                            return Stopped(new IpsetRestoreException(line.LineNumber, line.Text, error.Message.TrimEnd('.'), error.Kind, error));
                        }
                        continue;
                    }
                    case IpsetRestoreCommand.Test:
                        requests++;
                        if (!Test(first.SetName!, [first.Entry!.Element], [first.Entry.NoMatch])[0])
                            return Stopped(new IpsetRestoreException(first.LineNumber, first.Text, $"{first.Entry.Element} is not in set '{first.SetName}'", FailureKind.NotFound));
                        break;
                    case IpsetRestoreCommand.Destroy:
                        requests++;
                        if (first.SetName is null)
                        {
                            DestroyAll();
                            touched.Clear();
                        }
                        else
                        {
                            Destroy(first.SetName, lineExist);
                            touched.Remove(first.SetName);
                        }
                        break;
                    case IpsetRestoreCommand.Flush:
                        requests++;
                        Flush(first.SetName);
                        if (first.SetName is not null) Touch(first.SetName);
                        break;
                    case IpsetRestoreCommand.Rename:
                        requests++;
                        Rename(first.SetName!, first.OtherName!);
                        touched.Remove(first.SetName!);
                        Touch(first.OtherName!);
                        break;
                    case IpsetRestoreCommand.Swap:
                        requests++;
                        Swap(first.SetName!, first.OtherName!);
                        Touch(first.SetName!);
                        Touch(first.OtherName!);
                        break;
                }
                applied += step.Lines.Count;
            }
            catch (IpvsToolsException ex) when (ex is not IpsetRestoreException)
            {
                return Stopped(new IpsetRestoreException(first.LineNumber, first.Text, ex.Message.TrimEnd('.'), ex.Kind, ex));
            }
        }
        return new IpsetRestoreResult(applied, skipped, null, touched, requests);

        IpsetRestoreResult Stopped(IpsetRestoreException failure) => new(applied, skipped, failure, touched, requests);
    }
}
