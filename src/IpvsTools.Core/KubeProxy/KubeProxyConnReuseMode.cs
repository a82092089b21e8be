using System;
using System.Globalization;
using System.IO;

namespace IpvsTools.KubeProxy;

/// <summary>
/// net.ipv4.vs.conn_reuse_mode as kube-proxy's IPVS proxier sets it (NewProxier): 0 on kernels 4.1 up to
/// 5.8, where reusing a connection entry for a new connection from the same client port sent it to a
/// real server that was being removed (kubernetes#81775); left as it is from 5.9 on, where the kernel
/// fixed that (kubernetes#93297); not there before 4.1, where the sysctl does not exist.
/// </summary>
public static class KubeProxyConnReuseMode
{
    /// <summary>The running kernel's release (uname -r), from /proc/sys/kernel/osrelease.</summary>
    public static string KernelRelease() => File.ReadAllText("/proc/sys/kernel/osrelease").Trim();

    /// <summary>Whether kube-proxy sets conn_reuse_mode=0 on a kernel of this release ("5.4.0-150-generic").</summary>
    public static bool Applies(string kernelRelease)
    {
        ArgumentNullException.ThrowIfNull(kernelRelease);
        if (!TryParse(kernelRelease, out var major, out var minor))
            throw new IpvsToolsException($"'{kernelRelease}' is not a kernel release such as 5.4.0-150-generic.", FailureKind.InvalidArgument);
        var version = (major, minor);
        return version.CompareTo((4, 1)) >= 0 && version.CompareTo((5, 9)) < 0;
    }

    private static bool TryParse(string release, out int major, out int minor)
    {
        major = minor = 0;
        var parts = release.Split('.', 3);
        if (parts.Length < 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out major)) return false;
        var digits = parts[1];
        var end = 0;
        while (end < digits.Length && char.IsAsciiDigit(digits[end])) end++;
        return end > 0 && int.TryParse(digits.AsSpan(0, end), NumberStyles.None, CultureInfo.InvariantCulture, out minor);
    }
}
