using System;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using IpvsTools.Netlink;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Diagnostics;

/// <summary>
/// Real probes from inside a network namespace: a TCP connect, or for UDP a datagram that expects an
/// answer (a DNS query on port 53, a short text elsewhere). The socket is created on a thread that
/// entered the namespace, so it lives there; the probe itself is ordinary async code that the caller's
/// token cancels at once.
/// </summary>
internal static class ReachabilityProbe
{
    /// <summary>What the UDP probe sends to ports other than 53.</summary>
    public static readonly byte[] UdpPayload = Encoding.ASCII.GetBytes("IpvsTools reachability probe\n");

    public static async Task<ProbeOutcome> ProbeAsync(NetworkNamespace? ns, IpvsProtocol protocol, IPAddress address, ushort port,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (protocol is not (IpvsProtocol.Tcp or IpvsProtocol.Udp))
            return new ProbeOutcome(null, ProbeFailure.NotProbed, null, $"{IpvsServiceKey.ProtocolNameOf(protocol)} is not probed (TCP and UDP are)");
        var endpoint = new IPEndPoint(address, port);
        var type = protocol == IpvsProtocol.Tcp ? SocketType.Stream : SocketType.Dgram;
        var proto = protocol == IpvsProtocol.Tcp ? ProtocolType.Tcp : ProtocolType.Udp;
        Socket socket;
        try
        {
            socket = ns is null ? new Socket(address.AddressFamily, type, proto) : ns.Run(() => new Socket(address.AddressFamily, type, proto));
        }
        catch (SocketException ex)
        {
            return new ProbeOutcome(null, ProbeFailure.NotProbed, null, $"no {address.AddressFamily} socket here: {ex.Message}");
        }
        using (socket)
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            deadline.CancelAfter(timeout);
            var started = Stopwatch.GetTimestamp();
            try
            {
                return protocol == IpvsProtocol.Tcp
                    ? await ConnectAsync(socket, endpoint, started, deadline.Token).ConfigureAwait(false)
                    : await AskAsync(socket, endpoint, started, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                var seconds = timeout.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
                return protocol == IpvsProtocol.Udp && port != 53
                    ? new ProbeOutcome(null, ProbeFailure.Timeout, null, $"no answer within {seconds} s (a UDP service need not answer)")
                    : new ProbeOutcome(false, ProbeFailure.Timeout, null, $"no answer within {seconds} s");
            }
            catch (SocketException ex)
            {
                return Failed(ex, port);
            }
        }
    }

    private static async Task<ProbeOutcome> ConnectAsync(Socket socket, IPEndPoint endpoint, long started, CancellationToken token)
    {
        await socket.ConnectAsync(endpoint, token).ConfigureAwait(false);
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return new ProbeOutcome(true, ProbeFailure.None, ms, "connected in " + ProbeOutcome.Milliseconds(ms));
    }

    private static async Task<ProbeOutcome> AskAsync(Socket socket, IPEndPoint endpoint, long started, CancellationToken token)
    {
        var dns = endpoint.Port == 53;
        var id = (ushort)Random.Shared.Next(1, 65536);
        await socket.ConnectAsync(endpoint, token).ConfigureAwait(false);
        await socket.SendAsync(dns ? DnsProbeMessage.Query(id) : UdpPayload, SocketFlags.None, token).ConfigureAwait(false);
        var buffer = new byte[4096];
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, token).ConfigureAwait(false);
            if (dns && !DnsProbeMessage.IsAnswerTo(buffer.AsSpan(0, read), id)) continue;
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var what = dns ? $"DNS answer (rcode {DnsProbeMessage.ResponseCode(buffer.AsSpan(0, read))})" : $"{read}-byte answer";
            return new ProbeOutcome(true, ProbeFailure.None, ms, $"{what} in {ProbeOutcome.Milliseconds(ms)}");
        }
    }

    private static ProbeOutcome Failed(SocketException ex, ushort port) => ex.SocketErrorCode switch
    {
        SocketError.ConnectionRefused or SocketError.ConnectionReset =>
            new ProbeOutcome(false, ProbeFailure.Refused, null, $"refused: nothing listens on port {port}"),
        SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostDown or SocketError.AddressNotAvailable =>
            new ProbeOutcome(false, ProbeFailure.Unreachable, null, $"unreachable ({ex.Message}): the address is not there"),
        SocketError.TimedOut => new ProbeOutcome(false, ProbeFailure.Timeout, null, "timed out: " + ex.Message),
        _ => new ProbeOutcome(false, ProbeFailure.Other, null, ex.Message),
    };
}
