using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using IpvsTools.Netlink;
using IpvsTools.Processes;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Conntrack;

/// <summary>
/// Clears connection-tracking entries with the `conntrack` tool (Debian package conntrack), as
/// kube-proxy does when a UDP or SCTP real server goes away: entries whose original destination is the
/// virtual server and whose reply source is the removed endpoint would otherwise keep sending the
/// client's packets to a pod that is gone (the classic DNS black hole). Argument lists only; in another
/// namespace through nsenter.
/// </summary>
internal static partial class ConntrackTool
{
    /// <summary>
    /// Deletes the entries of <paramref name="protocol"/> to <paramref name="virtualAddress"/>:<paramref name="virtualPort"/>
    /// answered by <paramref name="endpoint"/>; returns how many were deleted.
    /// </summary>
    public static int DeleteFlows(NetworkNamespace? ns, IpvsProtocol protocol, IPAddress virtualAddress, ushort virtualPort, IPAddress endpoint)
    {
        ArgumentNullException.ThrowIfNull(virtualAddress);
        ArgumentNullException.ThrowIfNull(endpoint);
        var arguments = Arguments(protocol, virtualAddress, virtualPort, endpoint);
        ProcessResult result;
        try
        {
            result = ChildProcess.Run("conntrack", arguments, ns, timeout: TimeSpan.FromSeconds(30));
        }
        catch (IpvsToolsException ex) when (ex.Kind == FailureKind.NotFound)
        {
            throw new IpvsToolsException("The conntrack tool is not installed (Debian/Ubuntu: apt-get install conntrack); stale UDP/SCTP connection-tracking entries were not cleared.", FailureKind.NotFound, ex);
        }
        var deleted = Deleted(result.StandardError + result.StandardOutput);
        // conntrack -D exits 1 when it deleted nothing; that is not a failure here.
        if (deleted is { } n && (result.ExitCode == 0 || n == 0)) return n;
        throw new IpvsToolsException($"conntrack {string.Join(' ', arguments)} exited {result.ExitCode}: {result.StandardError.Trim()}", FailureKind.Other);
    }

    /// <summary>The tool's arguments, e.g. <c>-D -p udp -f ipv4 --orig-dst 10.96.0.10 --orig-port-dst 53 --reply-src 10.244.0.5</c>.</summary>
    public static IReadOnlyList<string> Arguments(IpvsProtocol protocol, IPAddress virtualAddress, ushort virtualPort, IPAddress endpoint)
        =>
        [
            "-D", "-p", IpvsServiceKey.ProtocolName(protocol).ToLowerInvariant(),
            "-f", virtualAddress.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4",
            "--orig-dst", virtualAddress.ToString(), "--orig-port-dst", virtualPort.ToString(CultureInfo.InvariantCulture),
            "--reply-src", endpoint.ToString(),
        ];

    /// <summary>N of "N flow entries have been deleted", or null when the text has no such line.</summary>
    internal static int? Deleted(string text)
    {
        var m = DeletedLine().Match(text);
        return m.Success ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"(\d+) flow entr(?:y|ies) ha(?:s|ve) been deleted")]
    private static partial Regex DeletedLine();
}
