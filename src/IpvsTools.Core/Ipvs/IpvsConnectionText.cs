using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using IpvsTools.Netlink;
using IpvsTools.Namespaces;

namespace IpvsTools.Ipvs;

/// <summary>
/// Reads the kernel's IPVS connection table, /proc/net/ip_vs_conn: a title line, then
/// <c>Pro FromIP FPrt ToIP TPrt DestIP DPrt State Expires [PEName PEData]</c> per entry, IPv4 addresses
/// and all ports as upper-case hex, IPv6 addresses as eight full groups, expiry in seconds.
/// /proc/net is the network namespace of the process's main thread, so in another namespace the file is
/// read as /proc/thread-self/net/ip_vs_conn on a thread that entered it.
/// </summary>
public static class IpvsConnectionText
{
    /// <summary>The title line the kernel writes first.</summary>
    public const string Title = "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData";

    /// <summary>The state names the kernel uses (TCP, UDP, SCTP), for completion and checks.</summary>
    public static IReadOnlyList<string> StateNames { get; } =
    [
        "NONE", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "SYNACK",
        "UDP", "INIT1", "INIT", "COOKIE_SENT", "COOKIE_REPLIED", "COOKIE_WAIT", "COOKIE_ECHOED", "SHUTDOWN_SENT", "SHUTDOWN_RECEIVED",
        "SHUTDOWN_ACK_SENT", "REJECTED", "CLOSED",
    ];

    /// <summary>
    /// The connections the text lists. Malformed text raises an <see cref="IpvsToolsException"/> of kind
    /// Protocol naming the line; nothing else escapes.
    /// </summary>
    public static IReadOnlyList<IpvsConnection> Parse(string text, string? networkNamespace = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var connections = new List<IpvsConnection>();
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (number == 1)
            {
                if (!line.StartsWith("Pro ", StringComparison.Ordinal)) throw Bad(number, "the title line is missing");
                continue;
            }
            if (line.Length == 0) continue;
            connections.Add(ParseLine(number, line, networkNamespace));
        }
        if (number == 0 || text.Length == 0) throw Bad(1, "the file is empty");
        return connections;
    }

    /// <summary>Reads and parses the connection table of <paramref name="ns"/> (the caller's namespace when null).</summary>
    public static IReadOnlyList<IpvsConnection> Read(NetworkNamespace? ns = null)
    {
        const string path = "/proc/thread-self/net/ip_vs_conn";
        string ReadHere()
        {
            try
            {
                return File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new IpvsToolsException($"{path} does not exist: {IpvsErrors.ModuleMissing}", FailureKind.ModuleMissing, ex);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new IpvsToolsException($"Reading {path} was refused: run pwsh as root (sudo pwsh).", FailureKind.PermissionDenied, ex);
            }
            catch (IOException ex)
            {
                throw new IpvsToolsException($"Reading {path}: {ex.Message}", FailureKind.Other, ex);
            }
        }
        var text = ns is null ? ReadHere() : ns.Run(ReadHere);
        return Parse(text, ns?.DisplayName);
    }

    private static IpvsConnection ParseLine(int number, string line, string? networkNamespace)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 9) throw Bad(number, $"{fields.Length} fields, 9 or more expected");
        var client = Address(number, fields[1]);
        var virtualAddress = Address(number, fields[3]);
        var destination = Address(number, fields[5]);
        if (!uint.TryParse(fields[8], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)) throw Bad(number, $"'{fields[8]}' is not a number of seconds");
        string? engine = fields.Length > 9 ? fields[9] : null;
        string? data = fields.Length > 10 ? string.Join(' ', fields, 10, fields.Length - 10) : null;
        return new IpvsConnection(fields[0], client, Port(number, fields[2]), virtualAddress, Port(number, fields[4]), destination, Port(number, fields[6]),
            fields[7], expires, engine, data, networkNamespace);
    }

    private static IPAddress Address(int number, string field)
    {
        if (field.Length == 8 && uint.TryParse(field, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v4))
            return new IPAddress([(byte)(v4 >> 24), (byte)(v4 >> 16), (byte)(v4 >> 8), (byte)v4]);
        if (field.Length == 39 && IPAddress.TryParse(field, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) return v6;
        throw Bad(number, $"'{Cut(field)}' is not an address");
    }

    private static ushort Port(int number, string field)
    {
        if (field.Length == 4 && ushort.TryParse(field, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var port)) return port;
        throw Bad(number, $"'{Cut(field)}' is not a port");
    }

    private static string Cut(string text) => text.Length > 40 ? text.Substring(0, 40) + "..." : text;

    private static IpvsToolsException Bad(int number, string what)
        => new($"The IPVS connection table is not as expected at line {number}: {what}.", FailureKind.Protocol);
}
