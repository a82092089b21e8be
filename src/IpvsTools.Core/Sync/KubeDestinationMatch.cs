using System;
using System.Collections.Generic;
using System.Net;
using IpvsTools.Ipvs;

namespace IpvsTools.Sync;

/// <summary>
/// The planner's match of a virtual server's desired real servers with the node's when there are few (kube-proxy's
/// usual ten or so per Service): a scan of the node's list per desired real server instead of a dictionary and a
/// set per virtual server, which were most of a no-op plan's allocations at 10,000 Services.
/// </summary>
internal static class KubeDestinationMatch
{
    /// <summary>Up to this many real servers on the node's side are matched by a scan.</summary>
    public const int ScanLimit = 32;

    /// <summary>
    /// The node's real server at <paramref name="address"/>:<paramref name="port"/> (the last one, as a
    /// dictionary filled in order keeps), or null; every one at that address and port is marked in <paramref name="matched"/>.
    /// </summary>
    public static IpvsDestination? Find(IReadOnlyList<IpvsDestination> held, IPAddress address, ushort port, Span<bool> matched)
    {
        IpvsDestination? found = null;
        for (var i = 0; i < held.Count; i++)
        {
            var d = held[i];
            if (d.Port != port || !address.Equals(d.Address)) continue;
            matched[i] = true;
            found = d;
        }
        return found;
    }

    /// <summary>The node's real servers not marked in <paramref name="matched"/>, in the node's order; null when none.</summary>
    public static List<IpvsDestination>? Unmatched(IReadOnlyList<IpvsDestination> held, ReadOnlySpan<bool> matched)
    {
        List<IpvsDestination>? gone = null;
        for (var i = 0; i < held.Count; i++)
        {
            if (!matched[i]) (gone ??= new List<IpvsDestination>()).Add(held[i]);
        }
        return gone;
    }
}
