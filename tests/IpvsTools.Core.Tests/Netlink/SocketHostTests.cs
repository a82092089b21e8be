using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using IpvsTools.Ipsets;
using IpvsTools.Namespaces;

namespace IpvsTools.Tests.Netlink;

/// <summary>The socket against the host kernel, each test in its own throwaway namespace.</summary>
[Trait("Tier", "Host")]
public class SocketHostTests
{
    [Fact]
    public void ResolvesTheControllerFamilyAndRefusesUnknownOnes()
    {
        using var ns = new TestNamespace();
        using var socket = NetlinkSocket.Open(NetlinkProtocol.Generic, NetworkNamespace.Resolve(ns.Name));
        var controller = GenericNetlink.Resolve(socket, "nlctrl");
        Assert.Equal(GenericNetlink.ControllerId, controller.Id);
        Assert.Equal("nlctrl", controller.Name);
        // Family names are at most 15 bytes (GENL_NAMSIZ): a longer one is EINVAL, an unknown one ENOENT.
        var error = Assert.Throws<NetlinkException>(() => GenericNetlink.Resolve(socket, "IPVSTOOLS_NOPE"));
        Assert.Equal(Errno.ENOENT, error.Errno);
        Assert.Equal("ENOENT", error.ErrnoName);
        Assert.Equal(FailureKind.NotFound, error.Kind);
    }

    [Fact]
    public void SocketsOpenInsideTheNamespaceWhileTheCallersThreadStays()
    {
        using var a = new TestNamespace();
        using var b = new TestNamespace();
        var before = File.ResolveLinkTarget("/proc/thread-self/ns/net", false)!.FullName;
        a.Exec("ipset", "create", "only-in-a", "hash:ip");
        using (var inA = IpsetClient.Open(NetworkNamespace.Resolve(a.Name)))
        using (var inB = IpsetClient.Open(NetworkNamespace.Resolve(b.Path)))
        {
            Assert.Equal(["only-in-a"], inA.List().Select(s => s.Name));
            Assert.Empty(inB.List());
        }
        Assert.Equal(before, File.ResolveLinkTarget("/proc/thread-self/ns/net", false)!.FullName);
    }

    [Fact]
    public void MissingNamespacesAreNamed()
    {
        var error = Assert.Throws<IpvsToolsException>(() => NetworkNamespace.Resolve("ipvstools-no-such-namespace"));
        Assert.Equal(FailureKind.NotFound, error.Kind);
        Assert.Contains("ipvstools-no-such-namespace", error.Message);
        Assert.Contains("ip netns list", error.Message);
    }

    [Fact]
    public void BatchesKeepABoundedNumberOfRequestsInFlight()
    {
        using var ns = new TestNamespace();
        ns.Exec("ipset", "create", "batch", "hash:ip");
        using var socket = NetlinkSocket.Open(NetlinkProtocol.Netfilter, NetworkNamespace.Resolve(ns.Name));
        // 2000 FLUSH requests that succeed and 2000 DESTROY requests of a missing set that fail with ENOENT.
        var requests = new List<byte[]>();
        for (var i = 0; i < 4000; i++) requests.Add(IpsetRequest(i % 2 == 0 ? (byte)4 : (byte)3, i % 2 == 0 ? "batch" : "missing"));
        var outcomes = new int[requests.Count];
        Array.Fill(outcomes, -1);
        socket.ExecuteBatch(requests, maxInFlight: 32, (index, errno, _) => outcomes[index] = errno);
        for (var i = 0; i < outcomes.Length; i++) Assert.Equal(i % 2 == 0 ? 0 : Errno.ENOENT, outcomes[i]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ABatchSendsNothingAfterARefusalButHearsEveryAnswerSent(bool bounded)
    {
        using var ns = new TestNamespace();
        ns.Exec("ipset", "create", "batch", "hash:ip");
        var target = NetworkNamespace.Resolve(ns.Name);
        using var socket = bounded ? NetlinkSocket.OpenBounded(NetlinkProtocol.Netfilter, NetlinkSocket.MinimumBoundedReceiveLength, target) : NetlinkSocket.Open(NetlinkProtocol.Netfilter, target);
        // 3000 FLUSH requests that succeed, but number 100 DESTROYs a missing set: ENOENT.
        var requests = Enumerable.Range(0, 3000).Select(i => i == 100 ? IpsetRequest(3, "missing") : IpsetRequest(4, "batch")).ToList();
        var outcomes = new int[requests.Count];
        Array.Fill(outcomes, -1);
        var sent = socket.ExecuteBatch(requests, maxInFlight: 50, (index, errno, _) =>
        {
            outcomes[index] = errno;
            return errno == 0;
        });
        Assert.InRange(sent, 101, 150);
        for (var i = 0; i < requests.Count; i++) Assert.Equal(i == 100 ? Errno.ENOENT : i < sent ? 0 : -1, outcomes[i]);
        // The socket goes on answering later requests correctly.
        socket.ExecuteBatch(requests.Take(10).ToList(), 10, (index, errno, _) => Assert.Equal(0, errno));
    }

    [Fact]
    public void ABoundedSocketReadsALongDumpWholeWithoutPeeking()
    {
        using var ns = new TestNamespace();
        var restore = new System.Text.StringBuilder("create big hash:ip maxelem 100000\n");
        for (var i = 0; i < 20000; i++) restore.Append($"add big 10.{i / 65536 + 1}.{i / 256 % 256}.{i % 256}\n");
        ns.Feed(restore.ToString(), "ipset", "restore");
        var target = NetworkNamespace.Resolve(ns.Name);
        using var bounded = NetlinkSocket.OpenBounded(NetlinkProtocol.Netfilter, NetlinkSocket.MinimumBoundedReceiveLength, target);
        using var peeking = NetlinkSocket.Open(NetlinkProtocol.Netfilter, target);
        var (boundedMembers, boundedMessages) = CountListedMembers(bounded);
        var (peekingMembers, peekingMessages) = CountListedMembers(peeking);
        Assert.Equal(20000, peekingMembers);
        Assert.Equal(20000, boundedMembers);
        // Small datagrams: the kernel split the same members over more messages.
        Assert.True(boundedMessages > peekingMessages, $"{boundedMessages} messages through the bounded socket, {peekingMessages} through the peeking one");
    }

    /// <summary>Members (DATA nests in ADT) and messages of an ipset LIST dump of every set.</summary>
    private static (int Members, int Messages) CountListedMembers(NetlinkSocket socket)
    {
        var list = new NetlinkMessageWriter();
        list.BeginMessage(0x0607, NetlinkConstants.FlagRequest | NetlinkConstants.FlagAck | NetlinkConstants.FlagDump)
            .WriteNetfilterHeader(2).PutU8(1, 7).EndMessage();
        int members = 0, messages = 0;
        socket.Dump(list, reply =>
        {
            messages++;
            var attributes = reply.Attributes(4);
            while (attributes.TryRead(out var attribute))
            {
                if (attribute.Type != 8) continue;
                var adt = attribute.Nested();
                while (adt.TryRead(out var data)) if (data.Type == 7) members++;
            }
        });
        return (members, messages);
    }

    [Fact]
    public void OverflowingTheReceiveBufferIsReportedAsUnknownState()
    {
        using var ns = new TestNamespace();
        using var socket = NetlinkSocket.Open(NetlinkProtocol.Netfilter, NetworkNamespace.Resolve(ns.Name), capAck: false);
        socket.ReceiveBufferBytes = 4096;
        // Every DESTROY of a missing set is answered with an error that echoes the whole request: far more than 4 KiB.
        var requests = Enumerable.Range(0, 2000).Select(_ => IpsetRequest(3, "missing-" + new string('x', 20))).ToList();
        var error = Assert.Throws<NetlinkException>(() => socket.ExecuteBatch(requests, maxInFlight: requests.Count, (_, _, _) => { }));
        Assert.Equal(Errno.ENOBUFS, error.Errno);
        Assert.Equal(FailureKind.StateUnknown, error.Kind);
        Assert.Contains("read it again", error.Message);
    }

    [Fact]
    public void RequestsInFlightBoundedByTheBufferAreAllAnsweredWhereUnboundedOnesOverflow()
    {
        using var ns = new TestNamespace();
        using var socket = NetlinkSocket.Open(NetlinkProtocol.Netfilter, NetworkNamespace.Resolve(ns.Name));
        socket.ReceiveBufferBytes = 4096; // what a container's root may get: no SO_RCVBUFFORCE, a small net.core.rmem_max
        var inFlight = socket.RepliesTheBufferHolds(256);
        Assert.InRange(inFlight, 1, 8);
        // The same 2000 error replies that overflow 4 KiB when all are in flight (see above), sent so the buffer holds them.
        var requests = Enumerable.Range(0, 2000).Select(_ => IpsetRequest(3, "missing-" + new string('x', 20))).ToList();
        var outcomes = new int[requests.Count];
        socket.ExecuteBatch(requests, inFlight, (index, errno, _) => outcomes[index] = errno);
        Assert.All(outcomes, o => Assert.Equal(Errno.ENOENT, o));
        using var rooted = NetlinkSocket.Open(NetlinkProtocol.Netfilter, NetworkNamespace.Resolve(ns.Name));
        Assert.Equal(256, rooted.RepliesTheBufferHolds(256)); // root's 1 MiB holds the usual 256
    }

    [Fact]
    public void KernelErrorsBecomeTypedExceptions()
    {
        using var ns = new TestNamespace();
        using var socket = NetlinkSocket.Open(NetlinkProtocol.Netfilter, NetworkNamespace.Resolve(ns.Name));
        var missing = new NetlinkMessageWriter();
        // Without NLM_F_EXCL the kernel treats a missing set as "already gone" and ACKs the destroy.
        missing.BeginMessage(0x0603, NetlinkConstants.FlagRequest | NetlinkConstants.FlagAck | NetlinkConstants.FlagExclusive)
            .WriteNetfilterHeader(2).PutU8(1, 7).PutString(2, "missing").EndMessage();
        var error = Assert.Throws<NetlinkException>(() => socket.Execute(missing, context: "Destroying"));
        Assert.Equal(Errno.ENOENT, error.Errno);
        Assert.StartsWith("Destroying: ", error.Message);

        // A protocol version the kernel does not speak: ipset's private error IPSET_ERR_PROTOCOL (4097).
        var oldProtocol = new NetlinkMessageWriter();
        oldProtocol.BeginMessage(0x0607, NetlinkConstants.FlagRequest | NetlinkConstants.FlagAck | NetlinkConstants.FlagDump)
            .WriteNetfilterHeader(2).PutU8(1, 1).EndMessage();
        Assert.Equal(4097, Assert.Throws<NetlinkException>(() => socket.Execute(oldProtocol)).Errno);

        // The socket stays usable after errors.
        var flush = new NetlinkMessageWriter();
        flush.BeginMessage(0x0604, NetlinkConstants.FlagRequest | NetlinkConstants.FlagAck).WriteNetfilterHeader(2).PutU8(1, 7).EndMessage();
        socket.Execute(flush);
    }

    [Fact]
    public void DumpsCountTheDatagramsTheirRepliesCameIn()
    {
        using var ns = new TestNamespace();
        ns.Feed("create small hash:ip\nadd small 10.0.0.1\ncreate big hash:ip\n"
            + string.Concat(Enumerable.Range(0, 20_000).Select(i => $"add big 10.1.{i / 250}.{i % 250}\n")), "ipset", "restore");
        using var socket = NetlinkSocket.Open(NetlinkProtocol.Netfilter, NetworkNamespace.Resolve(ns.Name));
        var messages = 0;
        socket.Dump(IpsetList("small"), _ => messages++);
        Assert.Equal((1, 1), (messages, socket.LastReplyDatagrams));
        messages = 0;
        socket.Dump(IpsetList("big"), _ => messages++);
        // 20,000 members do not fit one datagram: the kernel resumed the dump between datagrams.
        Assert.True(socket.LastReplyDatagrams > 1, $"{messages} messages in {socket.LastReplyDatagrams} datagram(s)");
        Assert.True(socket.LastReplyDatagrams <= messages, $"{messages} messages in {socket.LastReplyDatagrams} datagram(s)");
    }

    private static NetlinkMessageWriter IpsetList(string setName)
    {
        var writer = new NetlinkMessageWriter();
        writer.BeginMessage(0x0607, NetlinkConstants.FlagRequest | NetlinkConstants.FlagAck | NetlinkConstants.FlagDump)
            .WriteNetfilterHeader(2).PutU8(1, 7).PutString(2, setName).EndMessage();
        return writer;
    }

    private static byte[] IpsetRequest(byte command, string setName)
    {
        var writer = new NetlinkMessageWriter();
        writer.BeginMessage((ushort)(0x0600 | command), NetlinkConstants.FlagRequest | NetlinkConstants.FlagAck | NetlinkConstants.FlagExclusive)
            .WriteNetfilterHeader(2).PutU8(1, 7).PutString(2, setName).EndMessage();
        return writer.ToArray();
    }
}
