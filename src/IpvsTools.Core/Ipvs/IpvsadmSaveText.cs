using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace IpvsTools.Ipvs;

/// <summary>
/// The rules `ipvsadm -Sn` (ipvsadm 1.31) writes, byte for byte, in its order (the same as `ipvsadm -Ln`):
/// <c>-A -t 10.96.0.10:53 -s rr [-p T [-M MASK]] [--pe NAME] [-o] [-b FLAGS]</c> per service, then
/// <c>-a -t 10.96.0.10:53 -r 10.244.1.5:53 -m -w 1 [--tun-type ...]</c> per real server. ipvsadm saves no
/// thresholds: neither does this. `ipvsadm -R` reads the text back.
/// </summary>
public static class IpvsadmSaveText
{
    /// <summary>The whole save text, each line ending in "\n"; empty for an empty table.</summary>
    public static string Format(IEnumerable<IpvsService> services)
    {
        var text = new StringBuilder();
        foreach (var line in FormatLines(services)) text.Append(line).Append('\n');
        return text.ToString();
    }

    /// <summary>The save text's lines without line ends. Pass the services in the kernel's order (with their destinations).</summary>
    public static IReadOnlyList<string> FormatLines(IEnumerable<IpvsService> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var lines = new List<string>();
        foreach (var service in IpvsadmText.SortServices(services))
        {
            lines.Add(FormatServiceRule(service));
            foreach (var destination in IpvsadmText.SortDestinations(service.Destinations))
                lines.Add(FormatDestinationRule(service.Key, destination));
        }
        return lines;
    }

    /// <summary>"10.0.0.2:80" or "[fd00::2]:80", as ipvsadm writes an address and port.</summary>
    public static string FormatEndpoint(System.Net.IPAddress address, ushort port)
    {
        ArgumentNullException.ThrowIfNull(address);
        return IpvsAddressText.FormatEndpoint(address.AddressFamily, address, port);
    }

    /// <summary>How a save line names a service: "-t 10.96.0.10:53", "-u [fd00::10]:53", "--sctp-service ...", "-f 5", "-f 5 -6".</summary>
    public static string ServiceOption(IpvsServiceKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.IsFirewallMark)
            return "-f " + unchecked((int)key.FirewallMark).ToString(CultureInfo.InvariantCulture) + (key.AddressFamily == AddressFamily.InterNetworkV6 ? " -6" : "");
        var option = key.Protocol switch
        {
            IpvsProtocol.Tcp => "-t",
            IpvsProtocol.Udp => "-u",
            _ => "--sctp-service",
        };
        return option + " " + IpvsAddressText.FormatEndpoint(key.AddressFamily, key.Address, key.Port);
    }

    /// <summary>The -A line of a service.</summary>
    public static string FormatServiceRule(IpvsService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var line = new StringBuilder(80);
        line.Append("-A ").Append(ServiceOption(service.Key)).Append(" -s ").Append(service.Scheduler);
        if (service.IsPersistent)
        {
            line.Append(" -p ").Append(service.PersistenceTimeout.ToString(CultureInfo.InvariantCulture));
            if (service.AddressFamily == AddressFamily.InterNetwork && service.Netmask != "255.255.255.255")
                line.Append(" -M ").Append(service.Netmask);
            if (service.AddressFamily == AddressFamily.InterNetworkV6 && service.Netmask != "128")
                line.Append(" -M ").Append(SignedNetmask(service.Netmask));
        }
        if (service.PersistenceEngine is not null) line.Append(" --pe ").Append(service.PersistenceEngine);
        if ((service.RawFlags & IpvsConstants.SvcFlagOnePacket) != 0) line.Append(" -o");
        if ((service.RawFlags & IpvsConstants.SvcFlagSchedAny) != 0)
            line.Append(" -b ").Append(IpvsServiceFlags.SchedulerFlagText(service.RawFlags, service.Scheduler));
        return line.ToString();
    }

    /// <summary>The -a line of a real server of <paramref name="service"/>.</summary>
    public static string FormatDestinationRule(IpvsServiceKey service, IpvsDestination destination)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(destination);
        var name = destination.ToString();
        // ipvsadm cuts every name but an IPv6 one at 28 characters, here as in the listing.
        if (destination.AddressFamily != AddressFamily.InterNetworkV6 && name.Length > 28) name = name.Substring(0, 28);
        var line = new StringBuilder(96);
        line.Append("-a ").Append(ServiceOption(service)).Append(" -r ").Append(name)
            .Append(' ').Append(ForwardingSwitch(destination.ForwardingMethod))
            .Append(" -w ").Append(destination.Weight.ToString(CultureInfo.InvariantCulture));
        if (destination.ForwardingMethod == IpvsForwardingMethod.Tunnel)
        {
            switch (destination.TunnelType ?? IpvsTunnelType.Ipip)
            {
                case IpvsTunnelType.Gue:
                    line.Append(" --tun-type gue --tun-port ").Append((destination.TunnelPort ?? 0).ToString(CultureInfo.InvariantCulture))
                        .Append(' ').Append(ChecksumOption(destination.TunnelFlags));
                    break;
                case IpvsTunnelType.Gre:
                    line.Append(" --tun-type gre ").Append(ChecksumOption(destination.TunnelFlags));
                    break;
                case IpvsTunnelType.Ipip:
                    line.Append(" --tun-type ipip");
                    break;
            }
        }
        return line.ToString();
    }

    /// <summary>-m, -i, -g (ipvsadm writes -g for Local too; "(null)" for what it has no switch for).</summary>
    private static string ForwardingSwitch(IpvsForwardingMethod method) => method switch
    {
        IpvsForwardingMethod.Masquerade => "-m",
        IpvsForwardingMethod.Tunnel => "-i",
        IpvsForwardingMethod.Route or IpvsForwardingMethod.Local => "-g",
        _ => "(null)",
    };

    private static string ChecksumOption(string? flags) => flags switch
    {
        "csum" => "--tun-csum",
        "remcsum" => "--tun-remcsum",
        _ => "--tun-nocsum",
    };

    // ipvsadm prints an IPv6 netmask with %i.
    private static string SignedNetmask(string netmask)
        => uint.TryParse(netmask, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? unchecked((int)value).ToString(CultureInfo.InvariantCulture)
            : netmask;
}
