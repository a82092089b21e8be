using System;
using System.IO;

namespace IpvsTools.Namespaces;

/// <summary>
/// What identifies a network namespace in the kernel: its nsfs inode, as `readlink /proc/PID/ns/net`
/// prints it ("net:[4026531840]"). Two paths name the same namespace when their identities are equal.
/// </summary>
internal static class NamespaceIdentity
{
    /// <summary>The identity of <paramref name="ns"/>, or of the process's own namespace when null.</summary>
    public static string Of(NetworkNamespace? ns)
        => ns is null ? OfLink("/proc/self/ns/net")! : ns.Run(() => OfLink("/proc/thread-self/ns/net"))!
           ?? throw new IpvsToolsException("The network namespace's identity could not be read from /proc.", FailureKind.Other);

    /// <summary>The identity of process <paramref name="pid"/>'s namespace; null when the process is gone or not readable.</summary>
    public static string? OfProcess(int pid) => OfLink($"/proc/{pid}/ns/net");

    /// <summary>The inode number of an identity ("net:[4026531840]" gives 4026531840).</summary>
    public static string Inode(string identity)
    {
        var open = identity.IndexOf('[');
        var close = identity.IndexOf(']');
        return open >= 0 && close > open ? identity.Substring(open + 1, close - open - 1) : identity;
    }

    private static string? OfLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
