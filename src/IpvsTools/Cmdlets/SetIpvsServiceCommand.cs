using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using IpvsTools.Ipvs;

namespace IpvsTools.Commands;

/// <summary>
/// Set-IpvsService: changes a virtual service's persistence, persistence engine and one-packet
/// scheduling (ipvsadm -E), keeping every setting not given. The scheduler has Set-IpvsScheduler.
/// </summary>
[Cmdlet(VerbsCommon.Set, "IpvsService", DefaultParameterSetName = AddressSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(IpvsService))]
public sealed class SetIpvsServiceCommand : IpvsServiceTargetCommand
{
    /// <summary>Persistence in seconds (1 to 2678400); makes the service persistent.</summary>
    [Parameter]
    [ValidateRange(1u, NewIpvsServiceCommand.MaxPersistence)]
    public uint PersistenceTimeout { get; set; }

    /// <summary>-Persistent makes the service persistent (keeping its timeout, or 360 s); -Persistent:$false ends persistence.</summary>
    [Parameter]
    public SwitchParameter Persistent { get; set; }

    /// <summary>The persistence granularity: an IPv4 mask or prefix length, an IPv6 prefix length.</summary>
    [Parameter]
    [Alias("Netmask")]
    [ValidateNotNullOrEmpty]
    public string? PersistenceNetmask { get; set; }

    /// <summary>A persistence engine (sip); an empty string removes it.</summary>
    [Parameter]
    [AllowEmptyString]
    public string? PersistenceEngine { get; set; }

    /// <summary>-OnePacket turns one-packet scheduling on, -OnePacket:$false off.</summary>
    [Parameter]
    public SwitchParameter OnePacket { get; set; }

    /// <summary>Writes the changed service.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var ns = CurrentNamespace;
        var key = TargetKey();
        if (key is null) return;
        var target = key.DisplayName;
        var bound = MyInvocation.BoundParameters;
        bool Given(string name) => bound.ContainsKey(name);
        if (!Given(nameof(PersistenceTimeout)) && !Given(nameof(Persistent)) && !Given(nameof(PersistenceNetmask))
            && !Given(nameof(PersistenceEngine)) && !Given(nameof(OnePacket)))
        {
            Refuse("Give at least one setting to change: -PersistenceTimeout, -Persistent, -PersistenceNetmask, -PersistenceEngine or -OnePacket (the scheduler has Set-IpvsScheduler).",
                "NothingToChange", target);
            return;
        }
        if (Given(nameof(PersistenceTimeout)) && Given(nameof(Persistent)) && !Persistent)
        {
            Refuse("-PersistenceTimeout makes the service persistent; it cannot go with -Persistent:$false.", "ConflictingParameters", target);
            return;
        }
        var client = ClientFor(ns);
        var current = ReadService(client, key, ns);
        if (current is null) return;

        var flags = current.RawFlags;
        var timeout = current.PersistenceTimeout;
        var changes = new List<string>();
        if (Given(nameof(PersistenceTimeout)) || (Given(nameof(Persistent)) && Persistent))
        {
            flags |= IpvsServiceSettings.PersistentFlag;
            timeout = Given(nameof(PersistenceTimeout)) ? PersistenceTimeout : current.IsPersistent && timeout > 0 ? timeout : 360u;
            changes.Add("persistent " + timeout.ToString(CultureInfo.InvariantCulture) + " s");
        }
        else if (Given(nameof(Persistent)))
        {
            flags &= ~IpvsServiceSettings.PersistentFlag;
            changes.Add("not persistent");
        }
        if (Given(nameof(OnePacket)))
        {
            flags = OnePacket ? flags | IpvsServiceSettings.OnePacketFlag : flags & ~IpvsServiceSettings.OnePacketFlag;
            changes.Add(OnePacket ? "one-packet scheduling" : "no one-packet scheduling");
        }
        var netmask = Given(nameof(PersistenceNetmask)) ? PersistenceNetmask : current.Netmask;
        if (Given(nameof(PersistenceNetmask))) changes.Add("netmask " + PersistenceNetmask);
        var engine = Given(nameof(PersistenceEngine)) ? (string.IsNullOrEmpty(PersistenceEngine) ? null : PersistenceEngine) : current.PersistenceEngine;
        if (Given(nameof(PersistenceEngine))) changes.Add(engine is null ? "no persistence engine" : "persistence engine " + engine);
        if ((flags & IpvsServiceSettings.PersistentFlag) == 0 && Given(nameof(PersistenceNetmask)))
        {
            Refuse($"{target} is not persistent: -PersistenceNetmask needs -Persistent or -PersistenceTimeout.", "NotPersistent", target);
            return;
        }

        IpvsServiceSettings settings;
        try
        {
            settings = new IpvsServiceSettings(key, current.Scheduler, flags, timeout, netmask, engine);
        }
        catch (IpvsToolsException ex)
        {
            Refuse(ex.Message, "InvalidArgument", target);
            return;
        }
        if (!ShouldProcess(target, "Set " + string.Join(", ", changes) + Where(ns))) return;
        try
        {
            client.UpdateService(settings);
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, target);
            return;
        }
        WarnIfKubeProxyOwns(key, ns, "will set these settings back to its own at its next sync",
            "Session affinity comes from the Service (spec.sessionAffinity); change it there.");
        if (PassThru && client.GetService(key) is { } changed) WriteObject(changed);
    }
}
