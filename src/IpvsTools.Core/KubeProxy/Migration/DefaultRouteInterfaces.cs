using System;
using System.Collections.Generic;

namespace IpvsTools.KubeProxy.Migration;

/// <summary>
/// The interfaces that carry a namespace's default routes, from /proc/net/route (IPv4) and /proc/net/ipv6_route
/// (IPv6): their addresses are the node's primary ones when no Node object says otherwise (kube-proxy takes the
/// Node's InternalIP; on most nodes it is the address of the default route's interface).
/// </summary>
public static class DefaultRouteInterfaces
{
    /// <summary>The interface names of the default routes in /proc/net/route's text.</summary>
    public static IReadOnlyList<string> ParseIPv4(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<string>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT
            var f = line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 8 || f[0] == "Iface") continue;
            if (f[1] == "00000000" && f[7] == "00000000" && !result.Contains(f[0])) result.Add(f[0]);
        }
        return result;
    }

    /// <summary>The interface names of the default routes in /proc/net/ipv6_route's text (destination ::/0, not the loopback's unreachable route).</summary>
    public static IReadOnlyList<string> ParseIPv6(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<string>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // dest prefixlen src srcprefixlen nexthop metric refcnt use flags device
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 10) continue;
            if (f[0] != new string('0', 32) || f[1] != "00" || f[9] == "lo") continue;
            if (!result.Contains(f[9])) result.Add(f[9]);
        }
        return result;
    }
}
