using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using IpvsTools.Netlink;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Diagnostics;

/// <summary>One conntrack entry: the original direction (client to service) and where replies come from.</summary>
public sealed record ConntrackEntry(string Protocol, IPAddress Source, IPAddress Destination, ushort SourcePort, ushort DestinationPort,
    IPAddress ReplySource, ushort ReplySourcePort, uint TimeoutSeconds)
{
    public override string ToString()
        => $"{Protocol} {Source}:{SourcePort} -> {Destination}:{DestinationPort} replies from {IpvsAddressText.FormatEndpoint(ReplySource.AddressFamily, ReplySource, ReplySourcePort)} ({TimeoutSeconds} s left)";
}

/// <summary>
/// The connection tracking table of a network namespace, read from /proc/thread-self/net/nf_conntrack
/// on a thread inside it (CONFIG_NF_CONNTRACK_PROCFS; Debian's kernels have it). Lines look like
/// <c>ipv4 2 udp 17 28 src=A dst=B sport=P dport=Q [UNREPLIED] src=C dst=D sport=R dport=S mark=0 use=2</c>:
/// the first src/dst/sport/dport are the original direction, the second the reply direction.
/// </summary>
internal static class ConntrackTable
{
    public const string ProcPath = "/proc/thread-self/net/nf_conntrack";

    /// <summary>The entries of <paramref name="ns"/>; null when the namespace has no conntrack table (nf_conntrack not loaded, or no procfs).</summary>
    public static IReadOnlyList<ConntrackEntry>? Read(NetworkNamespace? ns = null)
    {
        static string? ReadHere()
        {
            try
            {
                return File.ReadAllText(ProcPath);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                return null;
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new IpvsToolsException($"Reading {ProcPath} was refused: run pwsh as root (sudo pwsh).", FailureKind.PermissionDenied, ex);
            }
        }
        var text = ns is null ? ReadHere() : ns.Run(ReadHere);
        return text is null ? null : Parse(text);
    }

    /// <summary>The entries of <paramref name="ns"/>, or null entries with the reason the namespace has none (what the reachability checks report).</summary>
    public static (IReadOnlyList<ConntrackEntry>? Entries, string? Error) ReadOrReason(NetworkNamespace? ns)
    {
        var entries = Read(ns);
        return (entries, entries is null ? "the namespace has no conntrack table (nf_conntrack is not loaded)" : null);
    }

    /// <summary>
    /// Where UDP entries to <paramref name="address"/>:<paramref name="port"/> still send traffic that is no longer a
    /// target in <paramref name="current"/> (replies from the address itself, not DNATed, are left out).
    /// </summary>
    public static IEnumerable<(IPAddress Address, ushort Port)> StaleUdpTargets(IEnumerable<ConntrackEntry> entries, IPAddress? address, ushort port, ISet<(IPAddress, ushort)> current)
    {
        foreach (var e in entries)
        {
            if (e.Protocol == "UDP" && e.Destination.Equals(address) && e.DestinationPort == port
                && !e.ReplySource.Equals(e.Destination) && !current.Contains((e.ReplySource, e.ReplySourcePort)))
                yield return (e.ReplySource, e.ReplySourcePort);
        }
    }

    /// <summary>Parses nf_conntrack lines; lines without both directions' addresses and ports are left out.</summary>
    public static IReadOnlyList<ConntrackEntry> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new List<ConntrackEntry>();
        foreach (var line in text.Split('\n'))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 6 || !uint.TryParse(words[4], NumberStyles.None, CultureInfo.InvariantCulture, out var timeout)) continue;
            var original = new Dictionary<string, string>(StringComparer.Ordinal);
            var reply = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var word in words.AsSpan(5))
            {
                var eq = word.IndexOf('=');
                if (eq <= 0) continue;
                var key = word.Substring(0, eq);
                if (key is not ("src" or "dst" or "sport" or "dport")) continue;
                var into = original.ContainsKey(key) ? reply : original;
                into.TryAdd(key, word.Substring(eq + 1));
            }
            if (!TryAddress(original, "src", out var src) || !TryAddress(original, "dst", out var dst) || !TryAddress(reply, "src", out var replySrc)
                || !TryPort(original, "sport", out var sport) || !TryPort(original, "dport", out var dport) || !TryPort(reply, "sport", out var replySport))
                continue;
            entries.Add(new ConntrackEntry(words[2].ToUpperInvariant(), src!, dst!, sport, dport, replySrc!, replySport, timeout));
        }
        return entries;
    }

    private static bool TryAddress(Dictionary<string, string> values, string key, out IPAddress? address)
    {
        address = null;
        return values.TryGetValue(key, out var text) && IPAddress.TryParse(text, out address);
    }

    private static bool TryPort(Dictionary<string, string> values, string key, out ushort port)
    {
        port = 0;
        return values.TryGetValue(key, out var text) && ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port);
    }
}
