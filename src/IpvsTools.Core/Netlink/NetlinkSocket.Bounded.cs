using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tmds.Linux;
using static Tmds.Linux.LibC;
using IpvsTools.Namespaces;

namespace IpvsTools.Netlink;

// The fast receive and send paths: a bounded receive length read without peeking, several datagrams per
// recvmmsg, and several requests per sendmsg.
//
// The kernel sizes each dump datagram by the largest length this socket ever passed to recvmsg (capped
// near 32 KiB), and never below NLMSG_GOODSIZE (a page less the skb overhead). A socket that always
// receives with the same length L >= 8 KiB therefore never gets a dump datagram longer than L, and its
// datagrams can be read without peeking at their size first. Each datagram the kernel allocates is
// zeroed first (Debian and most distribution kernels boot with init_on_alloc=1), so a smaller L also
// means less memory cleared per reply: 8 KiB fits the kmalloc-8k slab, while 32 KiB takes pages.
internal sealed unsafe partial class NetlinkSocket
{
    /// <summary>
    /// The smallest bounded receive length: NLMSG_GOODSIZE is a page (at most 8 KiB) less the skb
    /// overhead, so a page (or 8 KiB on larger pages) always holds it.
    /// </summary>
    public static int MinimumBoundedReceiveLength { get; } = Math.Min(8192, Environment.SystemPageSize);

    /// <summary>How many bytes of requests one sendmsg carries at most (well below the default wmem of 208 KiB).</summary>
    public const int MaxSendBytes = 64 * 1024;

    private const int ReceiveSlots = 64;

    private readonly int _receiveLength;
    private readonly (int Offset, int Length)[] _received = new (int, int)[ReceiveSlots];
    private byte[]? _packed;

    /// <summary>
    /// Opens a socket whose every receive reads at most <paramref name="receiveLength"/> bytes without
    /// peeking, up to 64 datagrams per system call. Only for protocols whose single replies (not dump
    /// parts) stay below that length: generic netlink families such as IPVS answer with short messages, and
    /// errors are capped (NETLINK_CAP_ACK). A longer datagram fails the request with a decode error
    /// rather than being cut silently.
    /// </summary>
    public static NetlinkSocket OpenBounded(NetlinkProtocol protocol, int receiveLength, NetworkNamespace? ns = null)
    {
        if (receiveLength < MinimumBoundedReceiveLength) throw new ArgumentOutOfRangeException(nameof(receiveLength), receiveLength, $"at least {MinimumBoundedReceiveLength}");
        return ns is null
            ? new NetlinkSocket(protocol, null, true, receiveLength)
            : ns.Run(() => new NetlinkSocket(protocol, ns, true, receiveLength));
    }

    /// <summary>The bounded receive length, or 0 when each datagram's size is peeked first.</summary>
    public int BoundedReceiveLength => _receiveLength;

    /// <summary>Receives one datagram (peeking mode) or up to 64 (bounded mode); returns how many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Receive(string? context)
    {
        if (_receiveLength == 0)
        {
            _received[0] = (0, ReceiveDatagram(context));
            return 1;
        }
        return ReceiveBounded(context);
    }

    /// <summary>The bytes of the <paramref name="index"/>th datagram of the last receive.</summary>
    private ReadOnlySpan<byte> Received(int index) => _buffer.AsSpan(_received[index].Offset, _received[index].Length);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int ReceiveBounded(string? context)
    {
        if (_fd < 0) throw new ObjectDisposedException(nameof(NetlinkSocket));
        var length = _receiveLength;
        if (_buffer.Length < length * ReceiveSlots) _buffer = new byte[length * ReceiveSlots];
        var vectors = stackalloc iovec[ReceiveSlots];
        var headers = stackalloc mmsghdr[ReceiveSlots];
        fixed (byte* p = _buffer)
        {
            while (true)
            {
                for (var i = 0; i < ReceiveSlots; i++)
                {
                    vectors[i] = new iovec { iov_base = p + i * length, iov_len = length };
                    headers[i] = new mmsghdr { msg_hdr = new msghdr { msg_iov = &vectors[i], msg_iovlen = 1 } };
                }
                // Replies to a request are queued while it is sent, so the first try nearly always finds
                // them; poll only when the queue is empty.
                var n = RecvMmsg(_fd, headers, ReceiveSlots, MSG_DONTWAIT, null);
                if (n > 0)
                {
                    for (var i = 0; i < n; i++)
                    {
                        if ((headers[i].msg_hdr.msg_flags & MSG_TRUNC) != 0)
                            throw new NetlinkDecodeException($"a reply longer than the socket's {length}-byte receive length was cut");
                        _received[i] = (i * length, (int)headers[i].msg_len);
                    }
                    return n;
                }
                var e = Marshal.GetLastPInvokeError();
                if (e == EINTR) continue;
                if (e != EAGAIN) throw ReceiveError(e, context);
                WaitReadable(context);
            }
        }
    }

    private void WaitReadable(string? context)
    {
        while (true)
        {
            var fds = new pollfd { fd = _fd, events = (short)POLLIN };
            var ready = poll(&fds, 1, (int)Math.Min(int.MaxValue, Timeout.TotalMilliseconds));
            if (ready > 0) return;
            if (ready == 0)
                throw new IpvsToolsException($"{context ?? "A netlink request"}: the kernel did not answer within {Timeout.TotalSeconds:0} s.", FailureKind.Timeout);
            if (errno != EINTR) throw new NetlinkException(errno, null, context);
        }
    }

    /// <summary>
    /// Sends requests[start..] back to back in one datagram, as many as fit in <see cref="MaxSendBytes"/>
    /// (at least one) and at most <paramref name="limit"/>, each with its own sequence number. Returns
    /// how many were sent. The i-th request sent by a batch carries the batch's first sequence plus i.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int SendPacked(IReadOnlyList<byte[]> requests, int start, int limit)
    {
        if (_fd < 0) throw new ObjectDisposedException(nameof(NetlinkSocket));
        var count = 0;
        var bytes = 0;
        while (start + count < requests.Count && count < limit)
        {
            var size = NetlinkConstants.Align(requests[start + count].Length);
            if (count > 0 && bytes + size > MaxSendBytes) break;
            bytes += size;
            count++;
        }
        if (_packed is null || _packed.Length < bytes) _packed = new byte[Math.Max(bytes, MaxSendBytes)];
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            var request = requests[start + i];
            if (request.Length < NetlinkConstants.HeaderLength) throw new ArgumentException("A request needs at least a header.");
            var target = _packed.AsSpan(offset, NetlinkConstants.Align(request.Length));
            target.Clear();
            request.CopyTo(target);
            // The message's own length stays as written: padding between messages is not part of it.
            HostOrder.WriteU32(target.Slice(8), ++_sequence);
            HostOrder.WriteU32(target.Slice(12), PortId);
            offset += target.Length;
        }
        fixed (byte* p = _packed)
        {
            while (true)
            {
                var n = send(_fd, p, offset, 0);
                if ((long)n == offset) return count;
                var e = errno;
                if ((long)n < 0 && e == EINTR) continue;
                throw new NetlinkException((long)n < 0 ? e : Errno.EMSGSIZE, null, "Sending netlink requests");
            }
        }
    }

    [DllImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    private static extern int RecvMmsg(int fd, mmsghdr* vector, uint length, int flags, timespec* timeout);
}
