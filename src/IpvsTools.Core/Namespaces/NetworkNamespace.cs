using System;
using System.IO;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Threading;
using static Tmds.Linux.LibC;
using IpvsTools.Netlink;

namespace IpvsTools.Namespaces;

/// <summary>
/// A network namespace given by name (a file under /run/netns, as `ip netns` makes) or by path
/// (/proc/PID/ns/net, a bind mount). Work that must happen inside it runs on a dedicated thread that
/// enters it with setns and then ends, so no caller's thread ever changes namespace. Sockets created
/// there stay in the namespace; child processes go through `nsenter --net=PATH`.
/// </summary>
public sealed class NetworkNamespace
{
    public const string NamedNamespaceDirectory = "/run/netns";

    private NetworkNamespace(string path, string display)
    {
        Path = path;
        DisplayName = display;
    }

    /// <summary>The file that identifies the namespace.</summary>
    public string Path { get; }

    /// <summary>What the user typed: the name or the path.</summary>
    public string DisplayName { get; }

    public override string ToString() => DisplayName;

    /// <summary>
    /// Resolves a name or a path; null or empty means the caller's own namespace (returns null).
    /// A missing namespace raises an error of kind NotFound.
    /// </summary>
    public static NetworkNamespace? Resolve(string? nameOrPath)
    {
        if (string.IsNullOrWhiteSpace(nameOrPath)) return null;
        var isPath = nameOrPath.Contains('/');
        if (!isPath && (nameOrPath == "." || nameOrPath == ".."))
            throw new IpvsToolsException($"'{nameOrPath}' is not a network namespace name.", FailureKind.InvalidArgument);
        var path = isPath ? nameOrPath : System.IO.Path.Combine(NamedNamespaceDirectory, nameOrPath);
        if (!File.Exists(path))
        {
            var hint = isPath ? "the path does not exist" : $"there is no {path} (list the namespaces with `ip netns list`)";
            throw new IpvsToolsException($"Network namespace '{nameOrPath}' was not found: {hint}.", FailureKind.NotFound);
        }
        return new NetworkNamespace(path, nameOrPath);
    }

    /// <summary>Runs <paramref name="work"/> on a new thread inside this namespace and returns its result.</summary>
    public T Run<T>(Func<T> work)
    {
        var fd = OpenNamespaceFile();
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                if (setns(fd, CLONE_NEWNET) != 0)
                {
                    var e = errno;
                    throw e switch
                    {
                        Errno.EPERM => new IpvsToolsException(
                            $"Entering network namespace '{DisplayName}' needs CAP_SYS_ADMIN: run pwsh as root (sudo pwsh).",
                            FailureKind.PermissionDenied),
                        Errno.EINVAL => new IpvsToolsException(
                            $"'{DisplayName}' is not a network namespace.", FailureKind.InvalidArgument),
                        _ => new NetlinkException(e, null, $"Entering network namespace '{DisplayName}'"),
                    };
                }
                result = work();
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }
        })
        {
            IsBackground = true,
            Name = "IpvsTools netns " + DisplayName,
        };
        try
        {
            thread.Start();
            thread.Join();
        }
        finally
        {
            close(fd);
        }
        failure?.Throw();
        return result;
    }

    public void Run(Action work) => Run<object?>(() =>
    {
        work();
        return null;
    });

    private unsafe int OpenNamespaceFile()
    {
        var bytes = Encoding.UTF8.GetBytes(Path + "\0");
        int fd;
        fixed (byte* p = bytes) fd = open(p, O_RDONLY | O_CLOEXEC, 0);
        if (fd >= 0) return fd;
        var e = errno;
        if (e == Errno.ENOENT)
            throw new IpvsToolsException($"Network namespace '{DisplayName}' disappeared: {Path} no longer exists.", FailureKind.NotFound);
        if (e == Errno.EACCES || e == Errno.EPERM)
            throw new IpvsToolsException($"Opening network namespace '{DisplayName}' was refused: run pwsh as root (sudo pwsh).", FailureKind.PermissionDenied);
        throw new NetlinkException(e, null, $"Opening network namespace '{DisplayName}'");
    }
}
