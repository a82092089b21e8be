using System;
using System.Globalization;
using System.IO;
using IpvsTools.Netlink;
using IpvsTools.Namespaces;

namespace IpvsTools.Ipvs;

/// <summary>
/// The IPVS sysctls kube-proxy sets, read in one network namespace. /proc/sys/net belongs to the network
/// namespace of the thread that opens it, so they are read on a thread inside the namespace.
/// </summary>
public sealed class IpvsSysctls
{
    private const string Directory = "/proc/sys/net/ipv4/vs/";

    private IpvsSysctls(int? conntrack, int? expireNodestConn, int? expireQuiescentTemplate, int? connReuseMode)
    {
        Conntrack = conntrack;
        ExpireNodestConn = expireNodestConn;
        ExpireQuiescentTemplate = expireQuiescentTemplate;
        ConnReuseMode = connReuseMode;
    }

    /// <summary>net.ipv4.vs.conntrack.</summary>
    public int? Conntrack { get; }

    /// <summary>net.ipv4.vs.expire_nodest_conn.</summary>
    public int? ExpireNodestConn { get; }

    /// <summary>net.ipv4.vs.expire_quiescent_template.</summary>
    public int? ExpireQuiescentTemplate { get; }

    /// <summary>net.ipv4.vs.conn_reuse_mode.</summary>
    public int? ConnReuseMode { get; }

    /// <summary>Reads the four sysctls in <paramref name="ns"/> (the caller's namespace when null); one that is absent is null.</summary>
    public static IpvsSysctls Read(NetworkNamespace? ns = null)
    {
        IpvsSysctls ReadHere() => new(Value("conntrack"), Value("expire_nodest_conn"), Value("expire_quiescent_template"), Value("conn_reuse_mode"));
        return ns is null ? ReadHere() : ns.Run(ReadHere);
    }

    private static int? Value(string name)
    {
        try
        {
            var text = File.ReadAllText(Directory + name).Trim();
            return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
