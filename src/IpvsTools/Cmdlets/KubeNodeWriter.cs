using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using IpvsTools.Netlink;
using IpvsTools.Iptables;
using IpvsTools.KubeProxy;
using IpvsTools.Namespaces;
using IpvsTools.Sync;

namespace IpvsTools.Commands;

/// <summary>
/// What the cmdlets that write a node's kube-proxy state share (Sync-KubeIpvs, Remove-KubeIpvs): the
/// refusal while kube-proxy runs in the namespace, the node lock, and carrying out a plan with one
/// ShouldProcess for the whole plan (-WhatIf lists every write), a change record per write, progress on
/// large plans, and a terminating error naming the write the kernel refused.
/// </summary>
internal sealed class KubeNodeWriter
{
    /// <summary>Plans with at least this many writes show progress.</summary>
    public const int ProgressThreshold = 100;

    private readonly PSCmdlet _cmdlet;
    private readonly string _errorIdPrefix;
    private readonly NetworkNamespace? _ns;
    private readonly string? _nsName;

    public KubeNodeWriter(PSCmdlet cmdlet, string errorIdPrefix, NetworkNamespace? ns, string? nsName)
    {
        _cmdlet = cmdlet;
        _errorIdPrefix = errorIdPrefix;
        _ns = ns;
        _nsName = nsName;
    }

    private string Where => _ns is null ? "this network namespace" : $"network namespace '{_ns.DisplayName}'";

    /// <summary>Refuses (terminating) when kube-proxy runs in the namespace, unless <paramref name="force"/>, which warns instead.</summary>
    public void RefuseNextToKubeProxy(bool force, string what)
    {
        var pids = KubeProxyProcesses.Find(_ns);
        if (pids.Count == 0) return;
        var who = $"kube-proxy (pid {string.Join(", ", pids)}) runs in {Where}";
        if (force)
        {
            _cmdlet.WriteWarning($"{who}: it rewrites IPVS, the KUBE-* sets and rules every 30 s and deletes what it did not create; -Force {what} anyway.");
            return;
        }
        _cmdlet.ThrowTerminatingError(new ErrorRecord(
            new InvalidOperationException($"{who}. It re-applies its own state every 30 s and deletes what it did not create, so the two would undo each other. " +
                $"Stop kube-proxy first (for example scale its DaemonSet off this node), or use -Force."),
            _errorIdPrefix + "KubeProxyRunning", ErrorCategory.ResourceBusy, _nsName));
    }

    /// <summary>Takes the namespace's lock; another sync holding it is a terminating Busy error.</summary>
    public KubeNodeLock Lock()
    {
        try
        {
            return KubeNodeLock.Acquire(_ns);
        }
        catch (IpvsToolsException ex)
        {
            _cmdlet.ThrowTerminatingError(new ErrorRecord(ex, _errorIdPrefix + IpvsToolsCmdlet.Condition(ex.Kind), IpvsToolsCmdlet.Category(ex.Kind), _nsName));
            throw; // not reached
        }
    }

    /// <summary>
    /// Asks once for the whole plan (-Confirm), or under -WhatIf lists every write; then applies it,
    /// writing a <see cref="KubeIpvsChange"/> per write. Returns false when nothing was applied because the
    /// caller declined or asked -WhatIf.
    /// </summary>
    public bool Apply(KubeIpvsPlan plan, IptablesBackend? backend, string verb, CancellationToken cancellation)
        => Apply(plan, backend, verb, cancellation, writeFailed: null);

    /// <summary>
    /// As <see cref="Apply(KubeIpvsPlan, IptablesBackend?, string, CancellationToken)"/>; a failed write is
    /// handed to <paramref name="writeFailed"/> (when given) instead of ending the command, and false returned.
    /// </summary>
    public bool Apply(KubeIpvsPlan plan, IptablesBackend? backend, string verb, CancellationToken cancellation, Action<KubeIpvsApplyException>? writeFailed)
    {
        var total = plan.Operations.Count;
        if (total == 0) return true;
        var summary = $"{verb}: {total} write(s) to {Where} " +
            $"({string.Join(", ", plan.Operations.GroupBy(o => o.Layer).Select(g => $"{g.Count()} {g.Key}"))})";
        if (!_cmdlet.ShouldProcess(summary, summary + ". Continue?", verb, out var reason))
        {
            if (reason == ShouldProcessReason.WhatIf)
                foreach (var op in plan.Operations) _cmdlet.ShouldProcess(op.Target, op.ToString());
            return false;
        }
        var progress = total >= ProgressThreshold ? new ProgressRecord(1, verb, $"{total} writes") : null;
        var step = Math.Max(1, total / 100);
        try
        {
            using var applier = new KubeIpvsApplier(_ns, backend);
            applier.Apply(plan.Operations, change =>
            {
                if (change.Warning is { } warning) _cmdlet.WriteWarning($"{change}: {warning}");
                _cmdlet.WriteObject(change);
                if (progress is not null && (change.Index % step == 0 || change.Index == total))
                {
                    progress.PercentComplete = change.Index * 100 / total;
                    progress.StatusDescription = $"{change.Index} of {total}: {change}";
                    _cmdlet.WriteProgress(progress);
                }
            }, cancellation);
        }
        catch (OperationCanceledException)
        {
            return false; // stopped between writes
        }
        catch (KubeIpvsApplyException ex) when (writeFailed is not null)
        {
            writeFailed(ex);
            return false;
        }
        catch (KubeIpvsApplyException ex)
        {
            _cmdlet.ThrowTerminatingError(new ErrorRecord(ex, _errorIdPrefix + "WriteFailed", IpvsToolsCmdlet.Category(ex.Kind), ex.Operation));
        }
        catch (IpvsToolsException ex)
        {
            _cmdlet.ThrowTerminatingError(new ErrorRecord(ex, _errorIdPrefix + IpvsToolsCmdlet.Condition(ex.Kind), IpvsToolsCmdlet.Category(ex.Kind), _nsName));
        }
        finally
        {
            if (progress is not null)
            {
                progress.RecordType = ProgressRecordType.Completed;
                _cmdlet.WriteProgress(progress);
            }
        }
        return true;
    }
}
