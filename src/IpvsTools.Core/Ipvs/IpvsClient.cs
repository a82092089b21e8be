using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using IpvsTools.Netlink;
using IpvsTools.Namespaces;

namespace IpvsTools.Ipvs;

/// <summary>
/// The IPVS client over generic netlink (family "IPVS", version 1). Reads the virtual services, their
/// destinations, the version and the timeouts of one network namespace's IPVS table. Every IPVS
/// command needs CAP_NET_ADMIN. Not thread-safe: one request at a time.
/// </summary>
public sealed partial class IpvsClient : IDisposable
{
    private readonly NetlinkSocket _socket;
    private readonly NetworkNamespace? _namespace;
    private readonly ushort _familyId;

    private IpvsClient(NetlinkSocket socket, NetworkNamespace? ns, ushort familyId)
    {
        _socket = socket;
        _namespace = ns;
        _familyId = familyId;
    }

    /// <summary>
    /// Opens a client in the caller's network namespace, or in <paramref name="ns"/>. Resolving the
    /// family makes the kernel load ip_vs where it can; where it cannot, this fails with
    /// <see cref="FailureKind.ModuleMissing"/>.
    /// </summary>
    public static IpvsClient Open(NetworkNamespace? ns = null) => Open(ns, ReceiveLength);

    /// <summary>Opens a client whose socket reads <paramref name="receiveLength"/> bytes per datagram; 0 peeks at each one's size.</summary>
    internal static IpvsClient Open(NetworkNamespace? ns, int receiveLength)
    {
        var socket = receiveLength == 0 ? NetlinkSocket.Open(NetlinkProtocol.Generic, ns) : NetlinkSocket.OpenBounded(NetlinkProtocol.Generic, receiveLength, ns);
        try
        {
            ushort familyId;
            try
            {
                familyId = GenericNetlink.Resolve(socket, IpvsConstants.FamilyName).Id;
            }
            catch (NetlinkException ex) when (ex.Errno == Errno.ENOENT)
            {
                throw NetlinkException.Worded(Errno.ENOENT, IpvsErrors.ModuleMissing, FailureKind.ModuleMissing, ex.KernelMessage);
            }
            catch (NetlinkException ex) when (ex.Errno is Errno.EPERM or Errno.EACCES)
            {
                throw IpvsErrors.PermissionDenied(ex, "Looking up the IPVS netlink family");
            }
            return new IpvsClient(socket, ns, familyId);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The length of every receive (see <see cref="NetlinkSocket.OpenBounded"/>): IPVS replies are short
    /// (a destination is under 500 bytes). 8 KiB less the 320 bytes of skb_shared_info keeps each reply
    /// buffer the kernel allocates (and, with init_on_alloc, zeroes) in its 8 KiB slab instead of pages.
    /// </summary>
    internal static readonly int ReceiveLength = Math.Max(NetlinkSocket.MinimumBoundedReceiveLength, 8192 - 320);

    /// <summary>The socket's bounded receive length; 0 when it peeks at each datagram's size.</summary>
    internal int BoundedReceiveLength => _socket.BoundedReceiveLength;

    /// <summary>The network namespace this client reads; null for the caller's own.</summary>
    public NetworkNamespace? Namespace => _namespace;

    /// <summary>The generic netlink id the kernel gave the IPVS family.</summary>
    internal ushort FamilyId => _familyId;

    /// <summary>How many times a dump spread over several datagrams is read in all while readings keep differing.</summary>
    internal const int MaxReadings = 4;

    /// <summary>
    /// Every virtual service, each once, in the kernel's order. The kernel resumes a dump by position
    /// between datagrams, so while another process adds and removes services a single reading can repeat
    /// entries (dropped by key) and skip entries that existed throughout: a dump that came in more than
    /// one datagram is read again until two readings agree (at most <see cref="MaxReadings"/> in all),
    /// and every service an earlier reading saw that the last one lacks is asked for by key, so a skip
    /// in one reading does not lose it and a service removed meanwhile is not listed. With
    /// <paramref name="includeDestinations"/>, each service's destinations are read too, one dump per service.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public IReadOnlyList<IpvsService> GetServices(bool includeDestinations = true)
    {
        var services = ReadServiceTable();
        if (includeDestinations)
        {
            for (var i = 0; i < services.Count; i++) services[i] = services[i].WithDestinations(ReadDestinations(services[i].Key));
        }
        return services;
    }

    private List<IpvsService> ReadServiceTable()
    {
        var reading = DumpServices(out var datagrams);
        if (datagrams <= 1) return reading;
        var seen = new Dictionary<IpvsServiceKey, IpvsService>();
        foreach (var service in reading) seen[service.Key] = service;
        for (var readings = 1; readings < MaxReadings; readings++)
        {
            var next = DumpServices(out datagrams);
            var agree = SameKeys(reading, next, s => s.Key);
            foreach (var service in next) seen[service.Key] = service;
            reading = next;
            if (agree || datagrams <= 1) break;
        }
        var inLast = reading.Select(s => s.Key).ToHashSet();
        foreach (var key in seen.Keys.Where(k => !inLast.Contains(k)).ToList())
        {
            if (GetService(key, includeDestinations: false) is { } current) reading.Add(current);
        }
        return reading;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private List<IpvsService> DumpServices(out int datagrams)
    {
        var context = "Listing the IPVS services" + Where();
        var services = new List<IpvsService>();
        var seen = new HashSet<IpvsServiceKey>();
        var ns = _namespace?.DisplayName;
        Run(context, () => _socket.Dump(IpvsRequests.GetServiceDump(_familyId), reply =>
        {
            if (reply.Type != _familyId) return;
            var service = IpvsDecoder.DecodeService(reply, ns);
            if (seen.Add(service.Key)) services.Add(service);
        }, () =>
        {
            services.Clear();
            seen.Clear();
        }, context));
        datagrams = _socket.LastReplyDatagrams;
        return services;
    }

    private static bool SameKeys<T, TKey>(List<T> first, List<T> second, Func<T, TKey> key)
        => first.Count == second.Count && first.Select(key).ToHashSet().SetEquals(second.Select(key));

    /// <summary>The service identified by <paramref name="key"/>, or null when there is none.</summary>
    public IpvsService? GetService(IpvsServiceKey key, bool includeDestinations = true)
    {
        ArgumentNullException.ThrowIfNull(key);
        var context = $"Reading IPVS service {key.DisplayName}" + Where();
        var ns = _namespace?.DisplayName;
        IpvsService? found = null;
        try
        {
            _socket.Execute(IpvsRequests.GetService(_familyId, key), reply =>
            {
                if (reply.Type == _familyId) found ??= IpvsDecoder.DecodeService(reply, ns);
            }, context);
        }
        catch (NetlinkException ex) when (ex.Errno is Errno.ESRCH or Errno.ENOENT)
        {
            return null;
        }
        catch (NetlinkException ex)
        {
            throw IpvsErrors.ToException(ex, context);
        }
        if (found is null) return null;
        return includeDestinations ? found.WithDestinations(ReadDestinations(found.Key)) : found;
    }

    /// <summary>
    /// The destinations of the service identified by <paramref name="key"/>, in the kernel's order, each
    /// once. The kernel answers a missing service with an empty list, not an error.
    /// </summary>
    public IReadOnlyList<IpvsDestination> GetDestinations(IpvsServiceKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return ReadDestinations(key);
    }

    /// <summary>The IPVS version and the connection table size (the first line of `ipvsadm -Ln`).</summary>
    public IpvsInfo GetInfo()
    {
        var context = "Reading the IPVS version" + Where();
        IpvsInfo? info = null;
        Run(context, () => _socket.Execute(IpvsRequests.GetInfo(_familyId), reply =>
        {
            if (reply.Type == _familyId) info ??= IpvsDecoder.DecodeInfo(reply);
        }, context));
        return info ?? throw new NetlinkDecodeException("the kernel answered IPVS_CMD_GET_INFO without a reply message");
    }

    /// <summary>The tcp, tcpfin and udp connection timeouts (`ipvsadm -L --timeout`).</summary>
    public IpvsTimeouts GetTimeouts()
    {
        var context = "Reading the IPVS timeouts" + Where();
        IpvsTimeouts? timeouts = null;
        Run(context, () => _socket.Execute(IpvsRequests.GetConfig(_familyId), reply =>
        {
            if (reply.Type == _familyId) timeouts ??= IpvsDecoder.DecodeTimeouts(reply);
        }, context));
        return timeouts ?? throw new NetlinkDecodeException("the kernel answered IPVS_CMD_GET_CONFIG without a reply message");
    }

    /// <inheritdoc/>
    public void Dispose() => _socket.Dispose();

    /// <summary>
    /// The destinations of one service, each once. A dump spread over several datagrams is read again
    /// until two readings agree (at most <see cref="MaxReadings"/>); readings that never agree are
    /// merged, so a real server that stayed throughout is not lost to a skip in one of them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private List<IpvsDestination> ReadDestinations(IpvsServiceKey key)
    {
        var reading = DumpDestinations(key, out var datagrams);
        if (datagrams <= 1) return reading;
        var all = reading.ToDictionary(DestinationKey);
        for (var readings = 1; readings < MaxReadings; readings++)
        {
            var next = DumpDestinations(key, out datagrams);
            if (SameKeys(reading, next, DestinationKey) || datagrams <= 1) return next;
            foreach (var destination in next) all[DestinationKey(destination)] = destination;
            reading = next;
        }
        return all.Values.ToList();
    }

    private static (AddressFamily, IPAddress, ushort) DestinationKey(IpvsDestination d) => (d.AddressFamily, d.Address, d.Port);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private List<IpvsDestination> DumpDestinations(IpvsServiceKey key, out int datagrams)
    {
        var destinations = new List<IpvsDestination>();
        var ns = _namespace?.DisplayName;
        var familyId = _familyId;
        Run(() => $"Listing the destinations of IPVS service {key.DisplayName}" + Where(), () => _socket.Dump(IpvsRequests.GetDestDump(familyId, key), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (reply) =>
        {
            if (reply.Type == familyId) destinations.Add(IpvsDecoder.DecodeDestination(reply, key, ns));
        }, destinations.Clear));
        RemoveRepeats(destinations);
        datagrams = _socket.LastReplyDatagrams;
        return destinations;
    }

    /// <summary>
    /// Drops a destination listed again (a dump resumed by position after the table changed can repeat
    /// one), keeping the first. Short lists are compared pairwise: no set is allocated per service.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void RemoveRepeats(List<IpvsDestination> destinations)
    {
        if (destinations.Count < 2) return;
        if (destinations.Count <= 32)
        {
            for (var i = destinations.Count - 1; i > 0; i--)
            {
                var d = destinations[i];
                for (var j = 0; j < i; j++)
                {
                    var other = destinations[j];
                    if (other.Port == d.Port && other.AddressFamily == d.AddressFamily && other.Address.Equals(d.Address))
                    {
                        destinations.RemoveAt(i);
                        break;
                    }
                }
            }
            return;
        }
        var seen = new HashSet<(AddressFamily, IPAddress, ushort)>();
        destinations.RemoveAll(d => !seen.Add((d.AddressFamily, d.Address, d.Port)));
    }

    /// <summary>
    /// Runs a read. None of the reads can fail with ENOENT except through generic netlink itself, which
    /// answers so when the family id is gone (ip_vs unloaded since it was resolved): the cached id is
    /// forgotten and the error says the module is missing.
    /// </summary>
    private static void Run(string context, Action work) => Run(() => context, work);

    private static void Run(Func<string> context, Action work)
    {
        try
        {
            work();
        }
        catch (NetlinkException ex) when (ex.Errno == Errno.ENOENT)
        {
            GenericNetlink.Forget(IpvsConstants.FamilyName);
            throw NetlinkException.Worded(Errno.ENOENT, IpvsErrors.ModuleMissing + " (" + context() + ")", FailureKind.ModuleMissing, ex.KernelMessage);
        }
        catch (NetlinkException ex)
        {
            throw IpvsErrors.ToException(ex, context());
        }
    }

    private string Where() => _namespace is null ? "" : $" in network namespace '{_namespace.DisplayName}'";
}
