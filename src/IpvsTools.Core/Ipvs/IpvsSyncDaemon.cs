using System;
using System.Globalization;
using System.Net;
using System.Text;
using IpvsTools.Namespaces;

namespace IpvsTools.Ipvs;

/// <summary>The role of a connection synchronisation daemon (IP_VS_STATE_*).</summary>
public enum IpvsSyncState
{
    /// <summary>Sends this director's connection state to the backups.</summary>
    Master = 1,

    /// <summary>Receives connection state from a master.</summary>
    Backup = 2,
}

/// <summary>
/// A running IPVS connection synchronisation daemon, as `ipvsadm -L --daemon` shows it:
/// <c>master sync daemon (mcast=eth0, syncid=5, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)</c>.
/// </summary>
public sealed class IpvsSyncDaemon
{
    /// <summary>A daemon with everything the kernel reports of it.</summary>
    public IpvsSyncDaemon(IpvsSyncState state, string @interface, uint syncId, ushort maxLength, IPAddress? multicastGroup,
        ushort multicastPort, byte multicastTtl, string? networkNamespace = null)
    {
        State = state;
        Interface = @interface;
        SyncId = syncId;
        MaxLength = maxLength;
        MulticastGroup = multicastGroup;
        MulticastPort = multicastPort;
        MulticastTtl = multicastTtl;
        NetworkNamespace = networkNamespace;
    }

    /// <summary>Master or Backup.</summary>
    public IpvsSyncState State { get; }

    /// <summary>The interface the daemon sends or listens on.</summary>
    public string Interface { get; }

    /// <summary>The sync id (0-255) that tells directors' messages apart.</summary>
    public uint SyncId { get; }

    /// <summary>The largest sync message payload in bytes.</summary>
    public ushort MaxLength { get; }

    /// <summary>The multicast group.</summary>
    public IPAddress? MulticastGroup { get; }

    /// <summary>The UDP port of the group.</summary>
    public ushort MulticastPort { get; }

    /// <summary>The multicast TTL.</summary>
    public byte MulticastTtl { get; }

    /// <summary>The network namespace the daemon runs in; null for the caller's own.</summary>
    public string? NetworkNamespace { get; }

    /// <summary>The line `ipvsadm -L --daemon` prints for this daemon.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(96);
        text.Append(State == IpvsSyncState.Master ? "master" : State == IpvsSyncState.Backup ? "backup" : "unknown")
            .Append(" sync daemon (mcast=").Append(Interface)
            .Append(", syncid=").Append(SyncId.ToString(CultureInfo.InvariantCulture))
            .Append(", maxlen=").Append(MaxLength.ToString(CultureInfo.InvariantCulture))
            .Append(", group=").Append(IpvsAddressText.Format(MulticastGroup))
            .Append(", port=").Append(MulticastPort.ToString(CultureInfo.InvariantCulture))
            .Append(", ttl=").Append(MulticastTtl.ToString(CultureInfo.InvariantCulture))
            .Append(')');
        return text.ToString();
    }
}

/// <summary>How to start a sync daemon (ipvsadm --start-daemon); zeros and null leave the kernel's defaults.</summary>
public sealed class IpvsSyncDaemonSettings
{
    /// <summary>Settings from their parts.</summary>
    /// <param name="state">Master or Backup.</param>
    /// <param name="interface">The multicast interface (it must exist in the namespace).</param>
    /// <param name="syncId">0-255; 0 (the default) makes a backup accept every master.</param>
    /// <param name="maxLength">The largest sync payload (0: the kernel's default from the MTU).</param>
    /// <param name="multicastGroup">An IPv4 or IPv6 multicast group (null: 224.0.0.81).</param>
    /// <param name="multicastPort">The group's UDP port (0: 8848).</param>
    /// <param name="multicastTtl">The TTL (0: 1).</param>
    public IpvsSyncDaemonSettings(IpvsSyncState state, string @interface, uint syncId = 0, ushort maxLength = 0,
        IPAddress? multicastGroup = null, ushort multicastPort = 0, byte multicastTtl = 0)
    {
        if (state is not (IpvsSyncState.Master or IpvsSyncState.Backup))
            throw new IpvsToolsException($"A sync daemon is Master or Backup, not {state}.", FailureKind.InvalidArgument);
        if (string.IsNullOrEmpty(@interface) || Encoding.UTF8.GetByteCount(@interface) > 15 || @interface.IndexOfAny(['/', ' ', '\0']) >= 0)
            throw new IpvsToolsException($"'{@interface}' is not an interface name (1-15 characters, no '/' or spaces).", FailureKind.InvalidArgument);
        if (syncId > 255) throw new IpvsToolsException($"The sync id is 0-255, not {syncId}.", FailureKind.InvalidArgument);
        if (multicastGroup is not null && !multicastGroup.IsIPv6Multicast
            && !(multicastGroup.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && (multicastGroup.GetAddressBytes()[0] & 0xF0) == 0xE0))
            throw new IpvsToolsException($"{multicastGroup} is not a multicast group address (224.0.0.0/4 or ff00::/8).", FailureKind.InvalidArgument);
        State = state;
        Interface = @interface;
        SyncId = syncId;
        MaxLength = maxLength;
        MulticastGroup = multicastGroup;
        MulticastPort = multicastPort;
        MulticastTtl = multicastTtl;
    }

    /// <summary>Master or Backup.</summary>
    public IpvsSyncState State { get; }

    /// <summary>The multicast interface.</summary>
    public string Interface { get; }

    /// <summary>The sync id.</summary>
    public uint SyncId { get; }

    /// <summary>The largest payload; 0 for the default.</summary>
    public ushort MaxLength { get; }

    /// <summary>The group; null for the default.</summary>
    public IPAddress? MulticastGroup { get; }

    /// <summary>The port; 0 for the default.</summary>
    public ushort MulticastPort { get; }

    /// <summary>The TTL; 0 for the default.</summary>
    public byte MulticastTtl { get; }
}
