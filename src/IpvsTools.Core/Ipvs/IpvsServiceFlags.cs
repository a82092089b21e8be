using System.Collections.Generic;
using System.Globalization;

namespace IpvsTools.Ipvs;

/// <summary>
/// Names for a service's flags. The three scheduler flags mean what the scheduler makes of them:
/// sh-fallback and sh-port for sh, mh-fallback and mh-port for mh, flag-1..flag-3 otherwise (as
/// ipvsadm's -b option names them).
/// </summary>
internal static class IpvsServiceFlags
{
    public const string Persistent = "persistent";
    public const string OnePacket = "one-packet";

    /// <summary>The flags with HASHED (kernel-internal) cleared.</summary>
    public static uint Strip(uint flags) => flags & ~IpvsConstants.SvcFlagHashed;

    /// <summary>Every set flag by name, in bit order; bits nobody names come out as 0x-hex.</summary>
    public static string[] Names(uint flags, string scheduler)
    {
        flags = Strip(flags);
        var names = new List<string>(4);
        if ((flags & IpvsConstants.SvcFlagPersistent) != 0) names.Add(Persistent);
        if ((flags & IpvsConstants.SvcFlagOnePacket) != 0) names.Add(OnePacket);
        if ((flags & IpvsConstants.SvcFlagSched1) != 0) names.Add(SchedulerFlagName(scheduler, 1));
        if ((flags & IpvsConstants.SvcFlagSched2) != 0) names.Add(SchedulerFlagName(scheduler, 2));
        if ((flags & IpvsConstants.SvcFlagSched3) != 0) names.Add(SchedulerFlagName(scheduler, 3));
        var unknown = flags & ~(IpvsConstants.SvcFlagPersistent | IpvsConstants.SvcFlagOnePacket | IpvsConstants.SvcFlagSchedAny);
        for (var bit = 0; bit < 32; bit++)
        {
            var value = 1u << bit;
            if ((unknown & value) != 0) names.Add("0x" + value.ToString("x", CultureInfo.InvariantCulture));
        }
        return names.ToArray();
    }

    /// <summary>
    /// The scheduler flags as ipvsadm prints them in parentheses after the scheduler ("sh-fallback,sh-port");
    /// for sh and mh only the two flags those schedulers define, so a lone SCHED3 prints as "".
    /// </summary>
    public static string SchedulerFlagText(uint flags, string scheduler)
    {
        var names = new List<string>(3);
        var known = scheduler is "sh" or "mh" ? 2 : 3;
        for (var n = 1; n <= known; n++)
        {
            if ((flags & (IpvsConstants.SvcFlagSched1 << (n - 1))) != 0) names.Add(SchedulerFlagName(scheduler, n));
        }
        return string.Join(",", names);
    }

    private static string SchedulerFlagName(string scheduler, int n) => (scheduler, n) switch
    {
        ("sh", 1) => "sh-fallback",
        ("sh", 2) => "sh-port",
        ("mh", 1) => "mh-fallback",
        ("mh", 2) => "mh-port",
        _ => "flag-" + n.ToString(CultureInfo.InvariantCulture),
    };
}
