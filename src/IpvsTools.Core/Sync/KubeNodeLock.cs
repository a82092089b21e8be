using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using IpvsTools.Netlink;
using static Tmds.Linux.LibC;
using IpvsTools.Namespaces;

namespace IpvsTools.Sync;

/// <summary>
/// Keeps two syncs of the same network namespace from interleaving their writes: an exclusive flock on
/// /run/ipvstools/sync-INODE.lock, INODE being the namespace's nsfs inode (so a name under /run/netns and
/// /proc/PID/ns/net of the same namespace share one lock). The holder writes its process id into the
/// file; the lock ends with the holder (close or exit), whatever happens to it.
/// </summary>
public sealed unsafe class KubeNodeLock : IDisposable
{
    /// <summary>Where the lock files live.</summary>
    public const string LockDirectory = "/run/ipvstools";

    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    private int _fd;

    private KubeNodeLock(int fd, string path)
    {
        _fd = fd;
        Path = path;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>The lock file of a namespace.</summary>
    public static string PathFor(NetworkNamespace? ns) => System.IO.Path.Combine(LockDirectory, "sync-" + NamespaceIdentity.Inode(NamespaceIdentity.Of(ns)) + ".lock");

    /// <summary>
    /// Takes the namespace's lock without waiting; when another process holds it, fails with
    /// <see cref="FailureKind.Busy"/> naming that process.
    /// </summary>
    public static KubeNodeLock Acquire(NetworkNamespace? ns, string holder = "Sync-KubeIpvs")
    {
        var path = PathFor(ns);
        try
        {
            Directory.CreateDirectory(LockDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IpvsToolsException($"The lock directory {LockDirectory} could not be created ({ex.Message}): run as root (sudo pwsh); writing the node's virtual servers, sets and rules needs root or CAP_NET_ADMIN.", FailureKind.PermissionDenied, ex);
        }
        int fd;
        var name = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = name) fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0x1a4 /* 0644 */);
        if (fd < 0)
        {
            var e = errno;
            throw e == EACCES
                ? new IpvsToolsException($"The lock file {path} could not be opened (EACCES): changing a node needs root; run pwsh as root (sudo pwsh), which also brings the CAP_NET_ADMIN the kernel asks for.", FailureKind.PermissionDenied)
                : new IpvsToolsException($"The lock file {path} could not be opened (errno {e}).", FailureKind.Other);
        }
        if (flock(fd, LockExclusive | LockNonBlocking) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            var pid = ReadPid(fd);
            close(fd);
            if (error == EWOULDBLOCK)
            {
                // The file names the last holder; a holder that has just taken the lock may not have written its own pid yet.
                var who = pid is { } p && Directory.Exists($"/proc/{p}") ? $"another {holder} (pid {p})" : "another process";
                var where = ns is null ? "this network namespace" : $"network namespace '{ns.DisplayName}'";
                throw new IpvsToolsException($"{who} is changing {where} (lock {path}); wait for it to finish or stop it, then run again.", FailureKind.Busy);
            }
            throw new IpvsToolsException($"The lock {path} could not be taken (errno {error}).", FailureKind.Other);
        }
        var text = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        ftruncate(fd, 0);
        fixed (byte* p = text) pwrite(fd, p, text.Length, 0);
        return new KubeNodeLock(fd, path);
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose()
    {
        if (_fd >= 0)
        {
            close(_fd);
            _fd = -1;
        }
    }

    private static int? ReadPid(int fd)
    {
        var buffer = new byte[32];
        long n;
        fixed (byte* p = buffer) n = pread(fd, p, buffer.Length, 0);
        if (n <= 0) return null;
        return int.TryParse(Encoding.ASCII.GetString(buffer, 0, (int)n).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static extern int flock(int fd, int operation);
}
