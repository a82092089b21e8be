using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IpvsTools.Ipvs;

/// <summary>
/// Everything a virtual service is created or changed with (IPVS_CMD_NEW_SERVICE / SET_SERVICE carry all
/// of it every time): its key, scheduler, flags, persistence timeout and granularity, and persistence
/// engine. Checked when built, so a request the kernel would refuse as malformed is refused here first.
/// </summary>
public sealed class IpvsServiceSettings
{
    /// <summary>IP_VS_SVC_F_PERSISTENT.</summary>
    public const uint PersistentFlag = IpvsConstants.SvcFlagPersistent;

    /// <summary>IP_VS_SVC_F_ONEPACKET.</summary>
    public const uint OnePacketFlag = IpvsConstants.SvcFlagOnePacket;

    /// <summary>The three scheduler flags (IP_VS_SVC_F_SCHED1..3).</summary>
    public const uint SchedulerFlagsMask = IpvsConstants.SvcFlagSchedAny;

    /// <summary>The longest scheduler or persistence engine name the kernel keeps (IP_VS_SCHEDNAME_MAXLEN - 1).</summary>
    public const int MaxNameLength = 15;

    /// <summary>Settings from their parts.</summary>
    /// <param name="key">Which service.</param>
    /// <param name="scheduler">The scheduler (rr, wrr, lc, wlc, sh, mh...; "none" for none).</param>
    /// <param name="flags">IP_VS_SVC_F_* flags: persistent 1, one-packet 4, scheduler flags 8, 0x10, 0x20.</param>
    /// <param name="persistenceTimeout">Seconds of persistence; 1 or more when the persistent flag is set.</param>
    /// <param name="netmask">
    /// The persistence granularity: for IPv4 a dotted mask ("255.255.255.0") or a prefix length 0-32
    /// ("24"), for IPv6 a prefix length 1-128. Null: a single client address (all ones / 128).
    /// </param>
    /// <param name="persistenceEngine">A persistence engine (sip), or null.</param>
    public IpvsServiceSettings(IpvsServiceKey key, string scheduler, uint flags = 0, uint persistenceTimeout = 0,
        string? netmask = null, string? persistenceEngine = null)
        : this(key, scheduler, flags, persistenceTimeout, netmask, null, persistenceEngine, checkPolicy: true)
    {
    }

    /// <summary>Settings from their parts, the netmask already typed (<see cref="IpvsNetmask"/>, of the key's family).</summary>
    public IpvsServiceSettings(IpvsServiceKey key, string scheduler, uint flags, uint persistenceTimeout,
        IpvsNetmask netmask, string? persistenceEngine = null)
        : this(key, scheduler, flags, persistenceTimeout, null, netmask, persistenceEngine, checkPolicy: true)
    {
    }

    // checkPolicy: also refuse what ipvsadm refuses though the kernel takes it (a service read from the
    // kernel is taken as it is, so that changing one setting of it never fails on another).
    private IpvsServiceSettings(IpvsServiceKey key, string scheduler, uint flags, uint persistenceTimeout,
        string? netmaskText, IpvsNetmask? netmask, string? persistenceEngine, bool checkPolicy)
    {
        Key = key ?? throw new ArgumentNullException(nameof(key));
        Scheduler = CheckName(scheduler, "scheduler");
        Flags = IpvsServiceFlags.Strip(flags);
        PersistenceTimeout = persistenceTimeout;
        NetmaskValue = netmask ?? IpvsNetmask.Parse(key.AddressFamily, netmaskText);
        if (NetmaskValue.AddressFamily != key.AddressFamily)
            throw new IpvsToolsException($"IPVS service {key.DisplayName}: the netmask {NetmaskValue} is not of the service's address family.", FailureKind.InvalidArgument);
        PersistenceEngine = string.IsNullOrEmpty(persistenceEngine) ? null : CheckName(persistenceEngine, "persistence engine");
        if (!checkPolicy) return;
        if (IsPersistent && persistenceTimeout == 0)
            throw new IpvsToolsException($"IPVS service {key.DisplayName}: a persistent service needs a persistence timeout of 1 second or more.", FailureKind.InvalidArgument);
        if ((Flags & IpvsConstants.SvcFlagOnePacket) != 0 && !key.IsFirewallMark && key.Protocol != IpvsProtocol.Udp)
            throw new IpvsToolsException($"IPVS service {key.DisplayName}: one-packet scheduling is only for UDP and firewall-mark services.", FailureKind.InvalidArgument);
        if (!key.IsFirewallMark && key.Port == 0 && !IsPersistent)
            throw new IpvsToolsException($"IPVS service {key.DisplayName}: port 0 (all ports) is only allowed for a persistent service.", FailureKind.InvalidArgument);
    }

    /// <summary>The settings a listed service has now (to change some of them and send the rest unchanged).</summary>
    public static IpvsServiceSettings From(IpvsService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return new IpvsServiceSettings(service.Key, service.Scheduler, service.RawFlags, service.PersistenceTimeout,
            service.Netmask, null, service.PersistenceEngine, checkPolicy: false);
    }

    /// <summary>Which service.</summary>
    public IpvsServiceKey Key { get; }

    /// <summary>The scheduler's name.</summary>
    public string Scheduler { get; }

    /// <summary>IP_VS_SVC_F_* flags, without the kernel-internal HASHED bit.</summary>
    public uint Flags { get; }

    /// <summary>Seconds of persistence.</summary>
    public uint PersistenceTimeout { get; }

    /// <summary>"255.255.255.255"-style for IPv4, a prefix length ("128") for IPv6, as <see cref="IpvsService.Netmask"/>.</summary>
    public string Netmask => NetmaskValue.ToString();

    /// <summary>The netmask as the kernel takes it.</summary>
    public IpvsNetmask NetmaskValue { get; }

    /// <summary>The persistence engine, or null.</summary>
    public string? PersistenceEngine { get; }

    /// <summary>True when the persistent flag is set.</summary>
    public bool IsPersistent => (Flags & IpvsConstants.SvcFlagPersistent) != 0;

    /// <summary>The same settings with another scheduler and scheduler flags (other flags kept).</summary>
    public IpvsServiceSettings WithScheduler(string scheduler, uint schedulerFlags)
        => new(Key, scheduler, (Flags & ~IpvsConstants.SvcFlagSchedAny) | (schedulerFlags & IpvsConstants.SvcFlagSchedAny),
            PersistenceTimeout, null, NetmaskValue, PersistenceEngine, checkPolicy: false);

    /// <summary>"TCP 10.96.0.10:53 rr".</summary>
    public override string ToString() => Key.DisplayName + " " + Scheduler;

    /// <summary>The u32 the kernel takes as IPVS_SVC_ATTR_NETMASK: the mask's bytes in order (IPv4), or the prefix length (IPv6).</summary>
    internal uint NetmaskAttribute => NetmaskValue.Attribute;

    private static string CheckName(string? name, string what)
    {
        if (string.IsNullOrEmpty(name)) throw new IpvsToolsException($"The {what} name is empty.", FailureKind.InvalidArgument);
        if (Encoding.UTF8.GetByteCount(name) > MaxNameLength)
            throw new IpvsToolsException($"The {what} name '{name}' is longer than the kernel's {MaxNameLength} characters.", FailureKind.InvalidArgument);
        foreach (var c in name)
        {
            if (!(c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' or '-'))
                throw new IpvsToolsException($"The {what} name '{name}' may hold only letters, digits, '_' and '-'.", FailureKind.InvalidArgument);
        }
        return name;
    }

    /// <summary>The netmask in the form <see cref="IpvsService.Netmask"/> uses, or an error saying what is wrong.</summary>
    internal static string NormalizeNetmask(AddressFamily family, string? netmask) => IpvsNetmask.Parse(family, netmask).ToString();
}
