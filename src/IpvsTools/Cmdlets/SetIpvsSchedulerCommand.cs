using System.Management.Automation;
using IpvsTools.Ipvs;

namespace IpvsTools.Commands;

/// <summary>Set-IpvsScheduler: changes a virtual service's scheduler and scheduler flags (ipvsadm -E -s).</summary>
[Cmdlet(VerbsCommon.Set, "IpvsScheduler", DefaultParameterSetName = AddressSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(IpvsService))]
public sealed class SetIpvsSchedulerCommand : IpvsServiceTargetCommand
{
    /// <summary>The new scheduler (rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos...).</summary>
    [Parameter(Mandatory = true)]
    [ArgumentCompleter(typeof(IpvsSchedulerCompleter))]
    [ValidateNotNullOrEmpty]
    public string Scheduler { get; set; } = "";

    /// <summary>The scheduler flags, named for the scheduler; omitted: none.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(IpvsSchedulerFlagCompleter))]
    public string[]? SchedulerFlags { get; set; }

    /// <summary>Writes the changed service.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var ns = CurrentNamespace;
        var key = TargetKey();
        if (key is null) return;
        var target = key.DisplayName;
        if (!CheckScheduler(Scheduler, target)) return;
        var flags = SchedulerFlagBits(Scheduler, SchedulerFlags, target);
        if (flags is null) return;
        var client = ClientFor(ns);
        var current = ReadService(client, key, ns);
        if (current is null) return;

        var settings = IpvsServiceSettings.From(current).WithScheduler(Scheduler, flags.Value);
        var flagText = SchedulerFlags is { Length: > 0 } ? " (" + string.Join(",", SchedulerFlags) + ")" : "";
        if (!ShouldProcess(target, $"Set the scheduler from {current.Scheduler} to {Scheduler}{flagText}{Where(ns)}")) return;
        try
        {
            client.UpdateService(settings);
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, target);
            return;
        }
        WarnIfKubeProxyOwns(key, ns, "will set the scheduler back to its own at its next sync",
            "Change the scheduler in kube-proxy's configuration instead (ipvs.scheduler in the KubeProxyConfiguration).");
        if (PassThru && client.GetService(key) is { } changed) WriteObject(changed);
    }
}
