using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace IpvsTools.Ipvs;

/// <summary>
/// The IPVS schedulers: the names the kernel ships (each one is module ip_vs_NAME), the scheduler
/// flags each one gives a name to, and which scheduler modules are loaded right now.
/// </summary>
public static class IpvsSchedulers
{
    /// <summary>The schedulers of the Linux kernel (net/netfilter/ipvs/ip_vs_*.c), plus "none".</summary>
    public static IReadOnlyList<string> KernelSchedulers { get; } =
        ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos", IpvsConstants.NoScheduler];

    /// <summary>Modules named ip_vs_* that are not schedulers.</summary>
    private static readonly HashSet<string> NotSchedulers = new(StringComparer.Ordinal) { "ftp", "pe_sip", "proto_tcp", "proto_udp", "proto_sctp" };

    /// <summary>The kernel module that implements <paramref name="scheduler"/>: ip_vs_NAME.</summary>
    public static string ModuleName(string scheduler) => "ip_vs_" + scheduler;

    /// <summary>Scheduler modules loaded now (from /sys/module/ip_vs_*), sorted; the module list is global to the kernel.</summary>
    public static IReadOnlyList<string> Loaded()
    {
        try
        {
            return Directory.EnumerateDirectories("/sys/module", "ip_vs_*")
                .Select(d => Path.GetFileName(d)!.Substring("ip_vs_".Length))
                .Where(n => n.Length > 0 && !NotSchedulers.Contains(n))
                .OrderBy(n => n, StringComparer.Ordinal).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Array.Empty<string>();
        }
    }

    /// <summary>Every scheduler name worth offering: the kernel's and any other loaded scheduler module, sorted.</summary>
    public static IReadOnlyList<string> Known()
        => KernelSchedulers.Concat(Loaded()).Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal).ToList();

    /// <summary>True when <paramref name="scheduler"/> is a kernel scheduler or a loaded scheduler module.</summary>
    public static bool IsKnown(string scheduler)
        => KernelSchedulers.Contains(scheduler, StringComparer.Ordinal) || Loaded().Contains(scheduler, StringComparer.Ordinal);

    /// <summary>
    /// The scheduler flag names that apply to <paramref name="scheduler"/>, as ipvsadm's -b takes them:
    /// sh-fallback and sh-port for sh, mh-fallback and mh-port for mh, and flag-1..flag-3 for any scheduler.
    /// </summary>
    public static IReadOnlyList<string> FlagNames(string scheduler) => scheduler switch
    {
        "sh" => ["sh-fallback", "sh-port", "flag-1", "flag-2", "flag-3"],
        "mh" => ["mh-fallback", "mh-port", "flag-1", "flag-2", "flag-3"],
        _ => ["flag-1", "flag-2", "flag-3"],
    };

    /// <summary>
    /// The IP_VS_SVC_F_SCHED* bits for flag names (case-insensitive), checked against the scheduler as
    /// ipvsadm checks them: sh-* only with sh, mh-* only with mh.
    /// </summary>
    public static uint ParseFlags(string scheduler, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        uint flags = 0;
        foreach (var raw in names)
        {
            var name = (raw ?? "").Trim().ToLowerInvariant();
            var (bit, owner) = name switch
            {
                "flag-1" => (IpvsConstants.SvcFlagSched1, null),
                "flag-2" => (IpvsConstants.SvcFlagSched2, null),
                "flag-3" => (IpvsConstants.SvcFlagSched3, null),
                "sh-fallback" => (IpvsConstants.SvcFlagSched1, "sh"),
                "sh-port" => (IpvsConstants.SvcFlagSched2, "sh"),
                "mh-fallback" => (IpvsConstants.SvcFlagSched1, "mh"),
                "mh-port" => (IpvsConstants.SvcFlagSched2, "mh"),
                _ => (0u, (string?)null),
            };
            if (bit == 0)
                throw new IpvsToolsException($"'{raw}' is not a scheduler flag; the {scheduler} scheduler takes {string.Join(", ", FlagNames(scheduler))}.", FailureKind.InvalidArgument);
            if (owner is not null && owner != scheduler)
                throw new IpvsToolsException($"The scheduler flag '{name}' belongs to the {owner} scheduler, not {scheduler}; {scheduler} takes {string.Join(", ", FlagNames(scheduler))}.", FailureKind.InvalidArgument);
            flags |= bit;
        }
        return flags;
    }
}
