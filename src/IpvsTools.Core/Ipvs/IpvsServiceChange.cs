using System.Collections.Generic;
using System.Globalization;

namespace IpvsTools.Ipvs;

/// <summary>
/// A change of some of a virtual service's persistence settings and its one-packet flag (ipvsadm -E with
/// only some options), every setting not named kept as the kernel has it. Null means "keep".
/// </summary>
public sealed record IpvsServiceChange
{
    /// <summary>The persistence timeout ipvsadm gives a service made persistent without one (-p without a value): 360 s.</summary>
    public const uint DefaultPersistenceTimeout = 360;

    /// <summary>Seconds of persistence; giving it makes the service persistent.</summary>
    public uint? PersistenceTimeout { get; init; }

    /// <summary>True: persistent (keeping its timeout, or <see cref="DefaultPersistenceTimeout"/>); false: not persistent.</summary>
    public bool? Persistent { get; init; }

    /// <summary>The persistence granularity, in any form <see cref="IpvsServiceSettings"/> takes.</summary>
    public string? PersistenceNetmask { get; init; }

    /// <summary>A persistence engine; an empty string removes it.</summary>
    public string? PersistenceEngine { get; init; }

    /// <summary>True: one-packet scheduling on; false: off.</summary>
    public bool? OnePacket { get; init; }

    /// <summary>True when the change names no setting.</summary>
    public bool IsEmpty => PersistenceTimeout is null && Persistent is null && PersistenceNetmask is null && PersistenceEngine is null && OnePacket is null;

    /// <summary>True when it both gives a timeout (which makes the service persistent) and ends persistence.</summary>
    public bool IsContradictory => PersistenceTimeout is not null && Persistent == false;

    /// <summary>What the service's settings become when the change is made to <paramref name="current"/>.</summary>
    public IpvsServiceChangeOutcome ApplyTo(IpvsService current)
    {
        var flags = current.RawFlags;
        var timeout = current.PersistenceTimeout;
        var changes = new List<string>();
        if (PersistenceTimeout is not null || Persistent == true)
        {
            flags |= IpvsServiceSettings.PersistentFlag;
            timeout = PersistenceTimeout ?? (current.IsPersistent && timeout > 0 ? timeout : DefaultPersistenceTimeout);
            changes.Add("persistent " + timeout.ToString(CultureInfo.InvariantCulture) + " s");
        }
        else if (Persistent == false)
        {
            flags &= ~IpvsServiceSettings.PersistentFlag;
            changes.Add("not persistent");
        }
        if (OnePacket is { } onePacket)
        {
            flags = onePacket ? flags | IpvsServiceSettings.OnePacketFlag : flags & ~IpvsServiceSettings.OnePacketFlag;
            changes.Add(onePacket ? "one-packet scheduling" : "no one-packet scheduling");
        }
        var netmask = PersistenceNetmask ?? current.Netmask;
        if (PersistenceNetmask is not null) changes.Add("netmask " + PersistenceNetmask);
        var engine = PersistenceEngine is null ? current.PersistenceEngine : PersistenceEngine.Length == 0 ? null : PersistenceEngine;
        if (PersistenceEngine is not null) changes.Add(engine is null ? "no persistence engine" : "persistence engine " + engine);
        return new IpvsServiceChangeOutcome(current.Key, current.Scheduler, flags, timeout, netmask, engine, changes,
            NetmaskWithoutPersistence: PersistenceNetmask is not null && (flags & IpvsServiceSettings.PersistentFlag) == 0);
    }
}

/// <summary>
/// A service's settings after an <see cref="IpvsServiceChange"/>, not yet checked: <see cref="ToSettings"/>
/// checks them (and throws what <see cref="IpvsServiceSettings"/> refuses).
/// </summary>
/// <param name="Changes">Each setting changed, in words ("persistent 360 s", "no one-packet scheduling").</param>
/// <param name="NetmaskWithoutPersistence">A netmask was given to a service that stays not persistent.</param>
public sealed record IpvsServiceChangeOutcome(IpvsServiceKey Key, string Scheduler, uint Flags, uint PersistenceTimeout, string? Netmask,
    string? PersistenceEngine, IReadOnlyList<string> Changes, bool NetmaskWithoutPersistence)
{
    /// <summary>The settings to send; an <see cref="IpvsToolsException"/> when they are not valid ones.</summary>
    public IpvsServiceSettings ToSettings() => new(Key, Scheduler, Flags, PersistenceTimeout, Netmask, PersistenceEngine);
}
