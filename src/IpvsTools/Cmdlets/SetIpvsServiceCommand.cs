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

    /// <summary>-Persistent makes the service persistent (keeping its timeout, or ipvsadm's default of 360 s, IpvsServiceChange.DefaultPersistenceTimeout); -Persistent:$false ends persistence.</summary>
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
        var change = new IpvsServiceChange
        {
            PersistenceTimeout = Given(nameof(PersistenceTimeout)) ? PersistenceTimeout : null,
            Persistent = Given(nameof(Persistent)) ? Persistent.IsPresent : null,
            PersistenceNetmask = Given(nameof(PersistenceNetmask)) ? PersistenceNetmask : null,
            PersistenceEngine = Given(nameof(PersistenceEngine)) ? PersistenceEngine ?? "" : null,
            OnePacket = Given(nameof(OnePacket)) ? OnePacket.IsPresent : null,
        };
        if (change.IsEmpty)
        {
            Refuse("Give at least one setting to change: -PersistenceTimeout, -Persistent, -PersistenceNetmask, -PersistenceEngine or -OnePacket (the scheduler has Set-IpvsScheduler).",
                "NothingToChange", target);
            return;
        }
        if (change.IsContradictory)
        {
            Refuse("-PersistenceTimeout makes the service persistent; it cannot go with -Persistent:$false.", "ConflictingParameters", target);
            return;
        }
        var client = ClientFor(ns);
        var current = ReadService(client, key, ns);
        if (current is null) return;

        var outcome = change.ApplyTo(current);
        if (outcome.NetmaskWithoutPersistence)
        {
            Refuse($"{target} is not persistent: -PersistenceNetmask needs -Persistent or -PersistenceTimeout.", "NotPersistent", target);
            return;
        }
        IpvsServiceSettings settings;
        try
        {
            settings = outcome.ToSettings();
        }
        catch (IpvsToolsException ex)
        {
            Refuse(ex.Message, "InvalidArgument", target);
            return;
        }
        if (!ShouldProcess(target, "Set " + string.Join(", ", outcome.Changes) + Where(ns))) return;
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
