using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Text;

namespace IpvsTools.Testing;

/// <summary>
/// "Pods" for a test's node namespace: each pod is a network namespace of its own joined to the node
/// by a veth pair (node side <c>vpN</c> holding the gateway 169.254.1.1/32 and fe80::1, with a /32 or
/// /128 route to the pod; pod side <c>eth0</c> with the pod address and a default route back through the
/// gateway), as a CNI plugin wires them. Pods serve TCP and UDP from sockets opened inside their
/// namespace and answered by ordinary async code in this process: a TCP server that says the pod's
/// name and then echoes, a UDP responder that answers each datagram with the pod's name, and a minimal
/// DNS server that answers A/AAAA queries with the pod's own address. Clients in the node namespace
/// (<see cref="AskTcp"/>, <see cref="AskUdp"/>, <see cref="AskDns"/>) tell which pod answered.
/// Dispose stops every server and deletes every pod namespace. Host tier (veth) and lab tier (IPVS).
/// IPv6: the node reaches pods from a global address of its own (a real node has one; a ClusterIP on
/// kube-ipvs0 counts). With only link-local addresses the kernel picks a link-local source, and the pod's
/// UDP answers then come from its link-local address too, which a connected client drops.
/// </summary>
public sealed class LabPods : IDisposable
{
    /// <summary>The node-side gateway each pod's default route goes through.</summary>
    public static readonly IPAddress Gateway = IPAddress.Parse("169.254.1.1");
    public static readonly IPAddress Gateway6 = IPAddress.Parse("fe80::1");

    private readonly List<LabPod> _pods = [];

    public LabPods(TestNamespace node) => Node = node;

    public TestNamespace Node { get; }
    public IReadOnlyList<LabPod> Pods => _pods;

    /// <summary>
    /// Adds a pod with the given IPv4 address (for example "10.244.1.5") and, optionally, an IPv6 one
    /// ("fd00:244::5"). Node side: veth vpN with the gateway addresses and routes to the pod's addresses.
    /// </summary>
    public LabPod Add(string name, string address, string? address6 = null)
    {
        var pod = new LabPod(this, name, "vp" + _pods.Count, IPAddress.Parse(address), address6 is null ? null : IPAddress.Parse(address6));
        _pods.Add(pod);
        pod.Wire();
        return pod;
    }

    /// <summary>Adds pods named pod-0..pod-(n-1) at 10.244.1.10 and up (fd00:244::10 and up with <paramref name="ipv6"/>).</summary>
    public IReadOnlyList<LabPod> AddMany(int count, bool ipv6 = false)
        => Enumerable.Range(0, count).Select(i => Add("pod-" + i, "10.244.1." + (10 + i), ipv6 ? "fd00:244::" + (10 + i).ToString("x") : null)).ToList();

    public LabPod this[string name] => _pods.Single(p => p.Name == name);

    /// <summary>Connects from the node namespace to ADDRESS:PORT over TCP and returns the first line the server sends (a pod's name).</summary>
    public string AskTcp(IPAddress address, int port, TimeSpan? timeout = null) => PodSockets.AskTcp(Node.Path, address, port, timeout);

    /// <summary>Sends one datagram from the node namespace to ADDRESS:PORT and returns the answer as text (a pod's name).</summary>
    public string AskUdp(IPAddress address, int port, TimeSpan? timeout = null) => PodSockets.AskUdp(Node.Path, address, port, timeout);

    /// <summary>Sends a DNS A query (AAAA for an IPv6 server) from the node namespace and returns the address in the answer (the answering pod's).</summary>
    public IPAddress AskDns(IPAddress server, int port = 53, TimeSpan? timeout = null) => PodSockets.AskDns(Node.Path, server, port, timeout);

    public void Dispose()
    {
        foreach (var pod in _pods) pod.Dispose();
    }
}

/// <summary>One pod of <see cref="LabPods"/>: its namespace, addresses and the servers it runs.</summary>
public sealed class LabPod : IDisposable
{
    private readonly LabPods _owner;
    private readonly Dictionary<(ProtocolType, int), PodServer> _servers = [];
    private int _tcpAccepted, _udpAnswered;

    internal LabPod(LabPods owner, string name, string nodeLink, IPAddress address, IPAddress? address6)
    {
        _owner = owner;
        Name = name;
        NodeLink = nodeLink;
        Address = address;
        Address6 = address6;
        NamespaceName = "ipvstools-p-" + Guid.NewGuid().ToString("N")[..12];
    }

    public string Name { get; }
    /// <summary>The pod's network namespace (`ip netns` name).</summary>
    public string NamespaceName { get; }
    public string NamespacePath => "/run/netns/" + NamespaceName;
    /// <summary>The node side of the pod's veth pair, in the node namespace.</summary>
    public string NodeLink { get; }
    public IPAddress Address { get; }
    public IPAddress? Address6 { get; }
    /// <summary>False after <see cref="Remove"/>: the pod's namespace and veth are gone.</summary>
    public bool Exists { get; private set; }
    /// <summary>TCP connections its servers accepted and UDP datagrams they answered (counted before the answer is sent).</summary>
    public int TcpAccepted => Volatile.Read(ref _tcpAccepted);
    public int UdpAnswered => Volatile.Read(ref _udpAnswered);

    internal void Wire()
    {
        var node = _owner.Node;
        Tool.Run("ip", "netns", "add", NamespaceName);
        Exists = true;
        Exec("ip", "link", "set", "lo", "up");
        Exec("sysctl", "-q", "-w", "net.ipv6.conf.default.accept_dad=0");
        node.Exec("ip", "link", "add", NodeLink, "type", "veth", "peer", "name", "eth0", "netns", NamespaceName);
        node.Exec("sysctl", "-q", "-w", $"net.ipv6.conf.{NodeLink}.accept_dad=0");
        node.Exec("ip", "addr", "add", LabPods.Gateway + "/32", "dev", NodeLink);
        node.Exec("ip", "link", "set", NodeLink, "up");
        node.Exec("ip", "route", "add", Address + "/32", "dev", NodeLink);
        Exec("ip", "addr", "add", Address + "/32", "dev", "eth0");
        Exec("ip", "link", "set", "eth0", "up");
        Exec("ip", "route", "add", LabPods.Gateway.ToString(), "dev", "eth0");
        Exec("ip", "route", "add", "default", "via", LabPods.Gateway.ToString(), "dev", "eth0");
        if (Address6 is not null)
        {
            node.Exec("ip", "-6", "addr", "add", LabPods.Gateway6 + "/64", "dev", NodeLink, "nodad");
            node.Exec("ip", "-6", "route", "add", Address6 + "/128", "dev", NodeLink);
            Exec("ip", "-6", "addr", "add", Address6 + "/128", "dev", "eth0", "nodad");
            Exec("ip", "-6", "route", "add", "default", "via", LabPods.Gateway6.ToString(), "dev", "eth0");
        }
    }

    /// <summary>Runs a program inside the pod's namespace and returns its standard output.</summary>
    public string Exec(params string[] command) => Tool.Run(["ip", "netns", "exec", NamespaceName, .. command]);

    /// <summary>A TCP server on PORT (both families the pod has): sends "NAME\n" on accept, then echoes what it reads.</summary>
    public LabPod ServeTcp(int port) => Serve(ProtocolType.Tcp, port, PodServerKind.Identify);

    /// <summary>A UDP responder on PORT: answers each datagram with "NAME\n".</summary>
    public LabPod ServeUdp(int port) => Serve(ProtocolType.Udp, port, PodServerKind.Identify);

    /// <summary>A minimal DNS server on UDP PORT: answers each query with one A (or AAAA) record holding the pod's address.</summary>
    public LabPod ServeDns(int port = 53) => Serve(ProtocolType.Udp, port, PodServerKind.Dns);

    /// <summary>Stops the server on PORT: the pod stays, nothing listens (TCP resets, UDP port unreachable).</summary>
    public void Stop(ProtocolType protocol, int port)
    {
        if (_servers.Remove((protocol, port), out var server)) server.Dispose();
    }

    /// <summary>The pod goes away: servers stop, its namespace (and with it the veth pair and the node's route) is deleted.</summary>
    public void Remove()
    {
        foreach (var server in _servers.Values) server.Dispose();
        _servers.Clear();
        if (!Exists) return;
        Exists = false;
        Tool.TryRun("ip", "netns", "delete", NamespaceName);
        // The veth pair goes when the pod namespace is freed; removing the node side now does not wait for that.
        _owner.Node.TryExec("ip", "link", "delete", NodeLink);
    }

    public void Dispose() => Remove();

    public override string ToString() => $"{Name} {Address}";

    private LabPod Serve(ProtocolType protocol, int port, PodServerKind kind)
    {
        if (!Exists) throw new InvalidOperationException($"Pod {Name} was removed.");
        if (_servers.ContainsKey((protocol, port))) throw new InvalidOperationException($"Pod {Name} already serves {protocol} {port}.");
        var sockets = new List<Socket> { PodSockets.Open(NamespacePath, AddressFamily.InterNetwork, protocol, port) };
        if (Address6 is not null) sockets.Add(PodSockets.Open(NamespacePath, AddressFamily.InterNetworkV6, protocol, port));
        _servers[(protocol, port)] = new PodServer(this, sockets, kind);
        return this;
    }

    internal void CountTcp() => Interlocked.Increment(ref _tcpAccepted);
    internal void CountUdp() => Interlocked.Increment(ref _udpAnswered);
}

internal enum PodServerKind { Identify, Dns }

/// <summary>The listening sockets of one pod port and the loops that serve them.</summary>
internal sealed class PodServer : IDisposable
{
    private readonly List<Socket> _sockets;
    private readonly CancellationTokenSource _stop = new();

    public PodServer(LabPod pod, List<Socket> sockets, PodServerKind kind)
    {
        _sockets = sockets;
        foreach (var socket in sockets)
        {
            if (socket.SocketType == SocketType.Stream) _ = AcceptLoop(pod, socket, _stop.Token);
            else _ = AnswerLoop(pod, socket, kind, _stop.Token);
        }
    }

    private static async Task AcceptLoop(LabPod pod, Socket listener, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var client = await listener.AcceptAsync(stop);
                pod.CountTcp(); // before the greeting, so a client that read it sees the count
                _ = Echo(pod, client, stop);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    private static async Task Echo(LabPod pod, Socket client, CancellationToken stop)
    {
        using (client)
        {
            try
            {
                await client.SendAsync(Encoding.ASCII.GetBytes(pod.Name + "\n"), stop);
                var buffer = new byte[4096];
                int read;
                while ((read = await client.ReceiveAsync(buffer, stop)) > 0)
                    await client.SendAsync(buffer.AsMemory(0, read), stop);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
        }
    }

    private static async Task AnswerLoop(LabPod pod, Socket socket, PodServerKind kind, CancellationToken stop)
    {
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, stop);
                var request = buffer.AsSpan(0, received.ReceivedBytes);
                var answer = kind == PodServerKind.Dns
                    ? MiniDns.Answer(request, pod.Address, pod.Address6)
                    : Encoding.ASCII.GetBytes(pod.Name + "\n");
                if (answer is null) continue;
                pod.CountUdp(); // before the answer, so a client that got it sees the count
                try
                {
                    await socket.SendToAsync(answer, SocketFlags.None, received.RemoteEndPoint, stop);
                }
                catch (SocketException) { } // one client that cannot be answered does not stop the server

            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var socket in _sockets) socket.Dispose();
    }
}

/// <summary>
/// Sockets created on a thread that entered a network namespace (setns): a socket belongs to the
/// namespace it was created in for its whole life, whichever thread later uses it.
/// </summary>
public static class PodSockets
{
    private const int CloneNewNet = 0x40000000;
    private const int ReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);

    [DllImport("libc")]
    private static extern int close(int fd);

    /// <summary>Runs WORK on a new thread inside the namespace at NETNS_PATH (a file under /run/netns).</summary>
    public static T InNamespace<T>(string netnsPath, Func<T> work)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                var fd = open(netnsPath, ReadOnlyCloseOnExec);
                if (fd < 0) throw new InvalidOperationException($"open {netnsPath}: errno {Marshal.GetLastPInvokeError()}");
                try
                {
                    if (setns(fd, CloneNewNet) != 0) throw new InvalidOperationException($"setns {netnsPath}: errno {Marshal.GetLastPInvokeError()}");
                }
                finally { close(fd); }
                result = work();
            }
            catch (Exception e) { failure = ExceptionDispatchInfo.Capture(e); }
        }) { IsBackground = true };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    /// <summary>A bound socket (listening, for TCP) on PORT of every address of the family, inside the namespace.</summary>
    public static Socket Open(string netnsPath, AddressFamily family, ProtocolType protocol, int port) => InNamespace(netnsPath, () =>
    {
        var socket = new Socket(family, protocol == ProtocolType.Tcp ? SocketType.Stream : SocketType.Dgram, protocol);
        try
        {
            if (family == AddressFamily.InterNetworkV6) socket.DualMode = false;
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, port));
            if (protocol == ProtocolType.Tcp) socket.Listen(128);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    });

    /// <summary>An unconnected client socket inside the namespace.</summary>
    public static Socket Client(string netnsPath, AddressFamily family, ProtocolType protocol)
        => InNamespace(netnsPath, () => new Socket(family, protocol == ProtocolType.Tcp ? SocketType.Stream : SocketType.Dgram, protocol));

    public static string AskTcp(string netnsPath, IPAddress address, int port, TimeSpan? timeout = null)
    {
        using var socket = Client(netnsPath, address.AddressFamily, ProtocolType.Tcp);
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        socket.ConnectAsync(new IPEndPoint(address, port), cancel.Token).AsTask().GetAwaiter().GetResult();
        var text = new StringBuilder();
        var buffer = new byte[256];
        while (!text.ToString().Contains('\n'))
        {
            var read = socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token).AsTask().GetAwaiter().GetResult();
            if (read == 0) break;
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        return text.ToString().Split('\n')[0];
    }

    public static string AskUdp(string netnsPath, IPAddress address, int port, TimeSpan? timeout = null)
        => Encoding.ASCII.GetString(Exchange(netnsPath, address, port, "who?"u8.ToArray(), timeout)).TrimEnd('\n');

    public static IPAddress AskDns(string netnsPath, IPAddress server, int port = 53, TimeSpan? timeout = null)
    {
        var question = server.AddressFamily == AddressFamily.InterNetworkV6 ? MiniDns.TypeAaaa : MiniDns.TypeA;
        var id = (ushort)Random.Shared.Next(1, 65536);
        var answer = Exchange(netnsPath, server, port, MiniDns.Query(id, "lab.test", question), timeout);
        return MiniDns.ReadAddress(answer, id) ?? throw new InvalidOperationException($"DNS server {server}:{port} answered without an address.");
    }

    private static byte[] Exchange(string netnsPath, IPAddress address, int port, byte[] request, TimeSpan? timeout)
    {
        using var socket = Client(netnsPath, address.AddressFamily, ProtocolType.Udp);
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        socket.Connect(new IPEndPoint(address, port));
        socket.Send(request);
        var buffer = new byte[2048];
        var read = socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token).AsTask().GetAwaiter().GetResult();
        return buffer[..read];
    }
}

/// <summary>Just enough DNS (RFC 1035) for a query with one question and an answer with one address record.</summary>
public static class MiniDns
{
    public const ushort TypeA = 1, TypeAaaa = 28;

    public static byte[] Query(ushort id, string name, ushort type)
    {
        var bytes = new List<byte>();
        bytes.AddRange([(byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]); // RD, one question
        foreach (var label in name.Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }
        bytes.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        return [.. bytes];
    }

    /// <summary>The answer to a one-question query: the pod's address as an A or AAAA record; null for what is not a query.</summary>
    public static byte[]? Answer(ReadOnlySpan<byte> query, IPAddress address, IPAddress? address6)
    {
        if (query.Length < 17 || (query[2] & 0x80) != 0 || BinaryPrimitives.ReadUInt16BigEndian(query[4..]) != 1) return null;
        var end = 12;
        while (end < query.Length && query[end] != 0) end += query[end] + 1;
        if (end + 5 > query.Length) return null;
        var type = BinaryPrimitives.ReadUInt16BigEndian(query[(end + 1)..]);
        var record = type == TypeAaaa ? address6 : type == TypeA ? address : null;
        var question = query[12..(end + 5)];
        var answer = new List<byte>();
        answer.AddRange([query[0], query[1], 0x81, 0x80, 0, 1, 0, (byte)(record is null ? 0 : 1), 0, 0, 0, 0]);
        answer.AddRange(question.ToArray());
        if (record is not null)
        {
            var data = record.GetAddressBytes();
            answer.AddRange([0xC0, 12, (byte)(type >> 8), (byte)type, 0, 1, 0, 0, 0, 30, 0, (byte)data.Length]);
            answer.AddRange(data);
        }
        return [.. answer];
    }

    /// <summary>The first A/AAAA record's address in an answer to query ID; null when there is none.</summary>
    public static IPAddress? ReadAddress(ReadOnlySpan<byte> answer, ushort id)
    {
        if (answer.Length < 12 || BinaryPrimitives.ReadUInt16BigEndian(answer) != id || (answer[2] & 0x80) == 0) throw new InvalidOperationException("Not an answer to the query.");
        var at = 12;
        for (var q = BinaryPrimitives.ReadUInt16BigEndian(answer[4..]); q > 0; q--) at = SkipName(answer, at) + 4;
        for (var a = BinaryPrimitives.ReadUInt16BigEndian(answer[6..]); a > 0; a--)
        {
            at = SkipName(answer, at);
            var type = BinaryPrimitives.ReadUInt16BigEndian(answer[at..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(answer[(at + 8)..]);
            at += 10;
            if (type is TypeA or TypeAaaa) return new IPAddress(answer.Slice(at, length));
            at += length;
        }
        return null;
    }

    private static int SkipName(ReadOnlySpan<byte> message, int at)
    {
        while (message[at] != 0)
        {
            if ((message[at] & 0xC0) == 0xC0) return at + 2;
            at += message[at] + 1;
        }
        return at + 1;
    }
}
