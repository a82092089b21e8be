using System;

namespace IpvsTools;

/// <summary>The kernel (or the socket) answered with an errno.</summary>
public class NetlinkException : IpvsToolsException
{
    public NetlinkException(int errno, string? kernelMessage = null, string? context = null)
        : this(errno, kernelMessage, context, KindOf(errno))
    {
    }

    public NetlinkException(int errno, string? kernelMessage, string? context, FailureKind kind)
        : this(errno, kernelMessage, Compose(errno, kernelMessage, context), kind, composed: true)
    {
    }

    private NetlinkException(int errno, string? kernelMessage, string message, FailureKind kind, bool composed)
        : base(message, kind)
    {
        _ = composed;
        Errno = errno;
        ErrnoName = IpvsTools.Errno.Name(errno);
        KernelMessage = kernelMessage;
    }

    /// <summary>The positive errno value.</summary>
    public int Errno { get; }

    /// <summary>The symbolic name, for example "EPERM".</summary>
    public string ErrnoName { get; }

    /// <summary>The kernel's extended-ack message, when it sent one.</summary>
    public string? KernelMessage { get; }

    /// <summary>
    /// The request as the kernel echoed it in its error reply (a socket without NETLINK_CAP_ACK gets the
    /// whole request back; ipset writes the failing element's line number into it), else null.
    /// </summary>
    public byte[]? EchoedRequest { get; internal set; }

    /// <summary>An error whose whole message the caller words (the errno still travels with it).</summary>
    public static NetlinkException Worded(int errno, string message, FailureKind kind, string? kernelMessage = null)
        => new(errno, kernelMessage, string.IsNullOrEmpty(kernelMessage) ? message : message + " Kernel: " + kernelMessage, kind, composed: true);

    public static FailureKind KindOf(int errno) => errno switch
    {
        IpvsTools.Errno.EPERM or IpvsTools.Errno.EACCES => FailureKind.PermissionDenied,
        IpvsTools.Errno.ENOENT or IpvsTools.Errno.ESRCH or IpvsTools.Errno.ENODEV => FailureKind.NotFound,
        IpvsTools.Errno.EEXIST => FailureKind.AlreadyExists,
        IpvsTools.Errno.EINVAL or IpvsTools.Errno.ERANGE => FailureKind.InvalidArgument,
        IpvsTools.Errno.EBUSY => FailureKind.Busy,
        IpvsTools.Errno.EOPNOTSUPP or IpvsTools.Errno.EPROTONOSUPPORT or IpvsTools.Errno.EAFNOSUPPORT => FailureKind.NotSupported,
        IpvsTools.Errno.ENOBUFS => FailureKind.StateUnknown,
        IpvsTools.Errno.ETIMEDOUT => FailureKind.Timeout,
        _ => FailureKind.Other,
    };

    private static string Compose(int errno, string? kernelMessage, string? context)
    {
        var text = $"{IpvsTools.Errno.Describe(errno)} ({IpvsTools.Errno.Name(errno)})";
        if (!string.IsNullOrEmpty(kernelMessage)) text += ": " + kernelMessage;
        return string.IsNullOrEmpty(context) ? text : context + ": " + text;
    }
}

/// <summary>Bytes from the kernel (or a test) that are not well-formed netlink.</summary>
public sealed class NetlinkDecodeException : IpvsToolsException
{
    public NetlinkDecodeException(string message) : base("Malformed netlink data: " + message, FailureKind.Protocol)
    {
    }
}
