using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Tmds.Linux;
using static Tmds.Linux.LibC;
using IpvsTools.Namespaces;

namespace IpvsTools.Netlink;

/// <summary>Receives the reply messages of a request, one at a time, while they are still in the receive buffer.</summary>
public delegate void NetlinkReplyHandler(NetlinkMessage reply);

/// <summary>
/// A netlink socket bound to one protocol in one network namespace. Requests carry sequence
/// numbers and ask for ACKs; error replies become <see cref="NetlinkException"/>; dumps are read to
/// NLMSG_DONE and restarted when the kernel flags them interrupted; every datagram's size is peeked
/// before it is read, so nothing is ever truncated (or, for a socket opened with a bounded receive
/// length, read without peeking, several at a time: see NetlinkSocket.Bounded.cs). Not thread-safe:
/// one request at a time.
/// </summary>
internal sealed unsafe partial class NetlinkSocket : IDisposable
{
    private const int DefaultReceiveBufferBytes = 1 << 20;
    private int _fd;
    private uint _sequence;
    private byte[] _buffer = new byte[64 * 1024];

    private NetlinkSocket(NetlinkProtocol protocol, NetworkNamespace? ns, bool capAck, int receiveLength = 0)
    {
        Protocol = protocol;
        Namespace = ns;
        _receiveLength = receiveLength;
        _fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, (int)protocol);
        if (_fd < 0) throw new NetlinkException(errno, null, $"Opening a {protocol} netlink socket");
        try
        {
            int one = 1;
            // Best effort: older kernels lack these; the decoder copes either way.
            setsockopt(_fd, SOL_NETLINK, NetlinkConstants.OptionExtAck, &one, sizeof(int));
            if (capAck) setsockopt(_fd, SOL_NETLINK, NetlinkConstants.OptionCapAck, &one, sizeof(int));
            ReceiveBufferBytes = DefaultReceiveBufferBytes;

            byte* address = stackalloc byte[12];
            new Span<byte>(address, 12).Clear();
            *(ushort*)address = (ushort)AF_NETLINK;
            if (bind(_fd, (sockaddr*)address, 12) != 0) throw new NetlinkException(errno, null, "Binding a netlink socket");
            socklen_t length = 12;
            if (getsockname(_fd, (sockaddr*)address, &length) != 0) throw new NetlinkException(errno, null, "Reading a netlink socket's address");
            PortId = *(uint*)(address + 4);
            _sequence = (uint)Environment.TickCount;
        }
        catch
        {
            close(_fd);
            _fd = -1;
            throw;
        }
    }

    /// <summary>
    /// Opens a socket; with a namespace, the socket is created on a dedicated thread that entered it, and
    /// stays in that namespace whichever thread uses it afterwards. The caller's thread never moves.
    /// </summary>
    /// <param name="capAck">Ask the kernel to cut echoed requests out of error replies (NETLINK_CAP_ACK).</param>
    public static NetlinkSocket Open(NetlinkProtocol protocol, NetworkNamespace? ns = null, bool capAck = true)
        => ns is null ? new NetlinkSocket(protocol, null, capAck) : ns.Run(() => new NetlinkSocket(protocol, ns, capAck));

    public NetlinkProtocol Protocol { get; }
    public NetworkNamespace? Namespace { get; }
    public uint PortId { get; }

    /// <summary>How long to wait for the kernel's next reply before giving up.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many dump restarts (NLM_F_DUMP_INTR) to tolerate before failing.</summary>
    public int MaxDumpRestarts { get; set; } = 8;

    /// <summary>
    /// How many datagrams carried the data messages of the last request's replies. A dump the kernel
    /// wrote into one datagram was written in one go (under the subsystem's lock); a dump spread over
    /// several was resumed between them, by position for IPVS and ipset, so a table that changed
    /// meanwhile may have entries skipped or repeated there.
    /// </summary>
    public int LastReplyDatagrams { get; private set; }

    /// <summary>SO_RCVBUF; raised with SO_RCVBUFFORCE where the caller may (root), else as far as rmem_max allows.</summary>
    public int ReceiveBufferBytes
    {
        get
        {
            int value = 0;
            socklen_t len = sizeof(int);
            getsockopt(_fd, SOL_SOCKET, SO_RCVBUF, &value, &len);
            return value;
        }
        set
        {
            if (setsockopt(_fd, SOL_SOCKET, SO_RCVBUFFORCE, &value, sizeof(int)) != 0)
                setsockopt(_fd, SOL_SOCKET, SO_RCVBUF, &value, sizeof(int));
        }
    }

    /// <summary>
    /// Sends one request (a single message in <paramref name="request"/>) and reads its replies until the
    /// ACK, the error, or (for a dump) NLMSG_DONE. Returns true when a dump reply carried NLM_F_DUMP_INTR.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Execute(NetlinkMessageWriter request, NetlinkReplyHandler? onReply = null, string? context = null)
    {
        var sequence = SendOne(request.WrittenSpan);
        var flags = HostOrder.ReadU16(request.WrittenSpan.Slice(6));
        var isDump = (flags & NetlinkConstants.FlagDump) == NetlinkConstants.FlagDump;
        return ReceiveUntilDone(sequence, isDump, onReply, context);
    }

    /// <summary>
    /// Reads a dump, restarting it from scratch (after <paramref name="onRestart"/> discards what was
    /// gathered) whenever the kernel marks it interrupted by a concurrent change.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Dump(NetlinkMessageWriter request, NetlinkReplyHandler onReply, Action? onRestart = null, string? context = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (!Execute(request, onReply, context)) return;
            if (attempt >= MaxDumpRestarts)
                throw new IpvsToolsException($"{context ?? "A netlink dump"} was interrupted by concurrent changes {attempt + 1} times in a row; try again.", FailureKind.StateUnknown);
            onRestart?.Invoke();
        }
    }

    /// <summary>
    /// How many requests with small replies (ACKs, errors) may be in flight, at most
    /// <paramref name="wanted"/>: the kernel charges each such reply about 1 KiB of the receive buffer
    /// (socket-buffer overhead included; 2 KiB are counted here) and drops replies past it (ENOBUFS).
    /// Root gets the 1 MiB asked for (SO_RCVBUFFORCE); a process whose CAP_NET_ADMIN covers only its own
    /// user namespace (a container) gets net.core.rmem_max at most, which may hold only a few.
    /// </summary>
    public int RepliesTheBufferHolds(int wanted) => Math.Clamp(ReceiveBufferBytes / 2048, 1, Math.Max(1, wanted));

    /// <summary>
    /// Sends many requests (each must ask for an ACK), with at most <paramref name="maxInFlight"/>
    /// unanswered at once, and reports each one's outcome (0 = success, else the positive errno) by its
    /// index. ENOBUFS (replies dropped) raises a <see cref="NetlinkException"/> of kind StateUnknown:
    /// some requests may have been applied; read the kernel again.
    /// </summary>
    public void ExecuteBatch(IReadOnlyList<byte[]> requests, int maxInFlight, Action<int, int, string?> onResult, string? context = null)
        => ExecuteBatch(requests, maxInFlight, (index, error, text) =>
        {
            onResult(index, error, text);
            return true;
        }, context);

    /// <summary>
    /// As above; when <paramref name="onResult"/> returns false, no further request is sent (those already
    /// sent are still answered and reported). Consecutive requests travel together in one datagram of up
    /// to <see cref="MaxSendBytes"/> (the kernel handles each message of a datagram on its own, in order,
    /// and answers each with its own ACK or error). Returns how many requests were sent.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int ExecuteBatch(IReadOnlyList<byte[]> requests, int maxInFlight, Func<int, int, string?, bool> onResult, string? context = null)
    {
        if (maxInFlight < 1) throw new ArgumentOutOfRangeException(nameof(maxInFlight));
        for (var i = 0; i < requests.Count; i++)
        {
            var flags = HostOrder.ReadU16(requests[i].AsSpan(6));
            if ((flags & NetlinkConstants.FlagAck) == 0) throw new ArgumentException($"Request {i} does not ask for an ACK.", nameof(requests));
        }
        var first = _sequence + 1;
        var sent = 0;
        var answered = 0;
        var stopped = false;
        var done = new bool[requests.Count];
        while (answered < sent || (!stopped && sent < requests.Count))
        {
            if (!stopped && sent < requests.Count && sent - answered < maxInFlight)
                sent += SendPacked(requests, sent, maxInFlight - (sent - answered));
            var count = Receive(context);
            for (var datagram = 0; datagram < count; datagram++)
            {
                var reader = new NetlinkMessageReader(Received(datagram));
                while (reader.TryRead(out var message))
                {
                    var index = unchecked((long)(message.Sequence - first));
                    if (message.Type != NetlinkConstants.TypeError || index < 0 || index >= sent || done[index]) continue;
                    var (error, text) = ParseError(message);
                    done[index] = true;
                    answered++;
                    if (!onResult((int)index, error, text)) stopped = true;
                }
            }
        }
        return sent;
    }

    /// <summary>Bytes currently waiting in the receive queue are dropped (after an aborted exchange).</summary>
    public void Drain()
    {
        while (true)
        {
            var n = recv(_fd, null, 0, MSG_DONTWAIT | MSG_TRUNC);
            if ((long)n < 0) return;
        }
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            close(_fd);
            _fd = -1;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private uint SendOne(ReadOnlySpan<byte> message)
    {
        if (_fd < 0) throw new ObjectDisposedException(nameof(NetlinkSocket));
        if (message.Length < NetlinkConstants.HeaderLength) throw new ArgumentException("A request needs at least a header.");
        var sequence = ++_sequence;
        var copy = message.Length <= 4096 ? stackalloc byte[message.Length] : new byte[message.Length];
        message.CopyTo(copy);
        HostOrder.WriteU32(copy.Slice(8), sequence);
        HostOrder.WriteU32(copy.Slice(12), PortId);
        fixed (byte* p = copy)
        {
            while (true)
            {
                var n = send(_fd, p, copy.Length, 0);
                if ((long)n == copy.Length) return sequence;
                var e = errno;
                if ((long)n < 0 && e == EINTR) continue;
                throw new NetlinkException((long)n < 0 ? e : Errno.EMSGSIZE, null, "Sending a netlink request");
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool ReceiveUntilDone(uint sequence, bool isDump, NetlinkReplyHandler? onReply, string? context)
    {
        var interrupted = false;
        LastReplyDatagrams = 0;
        while (true)
        {
            var count = Receive(context);
            for (var datagram = 0; datagram < count; datagram++)
            {
                var reader = new NetlinkMessageReader(Received(datagram));
                var counted = false;
                while (reader.TryRead(out var message))
                {
                    if (message.Sequence != sequence) continue; // a stale answer to an earlier, abandoned request
                    switch (message.Type)
                    {
                        case NetlinkConstants.TypeError:
                            var (error, text) = ParseError(message);
                            if (error != 0) throw new NetlinkException(error, text, context) { EchoedRequest = EchoOf(message) };
                            if (!isDump) return interrupted;
                            break;
                        case NetlinkConstants.TypeDone:
                            if (message.Payload.Length >= 4)
                            {
                                var status = HostOrder.ReadI32(message.Payload);
                                if (status < 0) throw new NetlinkException(-status, null, context);
                            }
                            if ((message.Flags & NetlinkConstants.FlagDumpInterrupted) != 0) interrupted = true;
                            return interrupted;
                        case NetlinkConstants.TypeNoop:
                        case NetlinkConstants.TypeOverrun:
                            break;
                        default:
                            if ((message.Flags & NetlinkConstants.FlagDumpInterrupted) != 0) interrupted = true;
                            if (!counted) LastReplyDatagrams++;
                            counted = true;
                            onReply?.Invoke(message);
                            break;
                    }
                }
            }
        }
    }

    /// <summary>Reads an NLMSG_ERROR: the errno (positive, 0 for an ACK) and the extended-ack message if any.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (int Errno, string? Message) ParseError(NetlinkMessage message)
    {
        var payload = message.Payload;
        if (payload.Length < 4) throw new NetlinkDecodeException("an error message without its error code");
        var error = -HostOrder.ReadI32(payload);
        string? text = null;
        if ((message.Flags & NetlinkConstants.FlagAckTlvs) != 0 && payload.Length >= 4 + NetlinkConstants.HeaderLength)
        {
            var echoed = payload.Slice(4);
            var echoedLength = (int)HostOrder.ReadU32(echoed);
            var skip = (message.Flags & NetlinkConstants.FlagCapped) != 0 || error == 0
                ? NetlinkConstants.HeaderLength
                : NetlinkConstants.Align(echoedLength);
            if (skip >= NetlinkConstants.HeaderLength && skip <= echoed.Length)
            {
                var attributes = new NetlinkAttributeReader(echoed.Slice(skip));
                while (attributes.TryRead(out var attribute))
                {
                    if (attribute.Type == NetlinkConstants.ExtAckMessage) text = attribute.GetString();
                }
            }
        }
        return (error, text);
    }

    /// <summary>The request echoed in an error reply, when the kernel sent it whole (not capped).</summary>
    internal static byte[]? EchoOf(NetlinkMessage message)
    {
        var payload = message.Payload;
        if ((message.Flags & NetlinkConstants.FlagCapped) != 0 || payload.Length < 4 + NetlinkConstants.HeaderLength) return null;
        var echoed = payload.Slice(4);
        var length = (int)Math.Min(HostOrder.ReadU32(echoed), (uint)echoed.Length);
        return length <= NetlinkConstants.HeaderLength ? null : echoed.Slice(0, length).ToArray();
    }

    private int ReceiveDatagram(string? context)
    {
        if (_fd < 0) throw new ObjectDisposedException(nameof(NetlinkSocket));
        while (true)
        {
            var fds = new pollfd { fd = _fd, events = (short)POLLIN };
            var ready = poll(&fds, 1, (int)Math.Min(int.MaxValue, Timeout.TotalMilliseconds));
            if (ready == 0)
                throw new IpvsToolsException($"{context ?? "A netlink request"}: the kernel did not answer within {Timeout.TotalSeconds:0} s.", FailureKind.Timeout);
            if (ready < 0)
            {
                if (errno == EINTR) continue;
                throw new NetlinkException(errno, null, context);
            }

            // Peek the datagram's real size first so that nothing is ever cut.
            var size = (long)recv(_fd, null, 0, MSG_PEEK | MSG_TRUNC);
            if (size < 0)
            {
                var e = errno;
                if (e == EINTR || e == EAGAIN) continue;
                throw ReceiveError(e, context);
            }
            if (size > _buffer.Length) _buffer = new byte[Math.Max(size, _buffer.Length * 2)];

            fixed (byte* p = _buffer)
            {
                var vector = new iovec { iov_base = p, iov_len = _buffer.Length };
                var header = new msghdr { msg_iov = &vector, msg_iovlen = 1 };
                var n = (long)recvmsg(_fd, &header, 0);
                if (n < 0)
                {
                    var e = errno;
                    if (e == EINTR || e == EAGAIN) continue;
                    throw ReceiveError(e, context);
                }
                if ((header.msg_flags & MSG_TRUNC) != 0)
                    throw new NetlinkDecodeException($"a {n}-byte reply was cut by a {_buffer.Length}-byte receive buffer");
                return (int)n;
            }
        }
    }

    private static NetlinkException ReceiveError(int e, string? context)
        => e == Errno.ENOBUFS
            ? new NetlinkException(e, "the socket's receive buffer overflowed and replies were lost; the kernel's state is unknown: read it again", context)
            : new NetlinkException(e, null, context);
}
