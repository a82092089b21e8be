using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace IpvsTools.Ipvs;

/// <summary>
/// The text ipvsadm (1.31) prints, byte for byte: `ipvsadm -Ln` (numeric list), its lines, and
/// `--timeout`. Lines end in "\n" whatever the platform; destination lines keep ipvsadm's trailing
/// padding (its last column is printed with %-10u).
/// </summary>
public static class IpvsadmText
{
    private const string TitleLines =
        "Prot LocalAddress:Port Scheduler Flags\n" +
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";

    /// <summary>
    /// What `ipvsadm -Ln` prints for this table: the version line, the two title lines, then each
    /// service (in ipvsadm's order, see <see cref="SortServices"/>) followed by its destinations (in
    /// ipvsadm's order, see <see cref="SortDestinations"/>). Pass the services in the kernel's order,
    /// as <see cref="IpvsClient.GetServices"/> returns them: ipvsadm's order depends on it.
    /// </summary>
    public static string FormatList(IpvsInfo info, IEnumerable<IpvsService> services)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(services);
        var text = new StringBuilder();
        text.Append(FormatVersionLine(info)).Append('\n');
        text.Append(TitleLines);
        foreach (var service in SortServices(services))
        {
            text.Append(FormatServiceLine(service)).Append('\n');
            foreach (var destination in SortDestinations(service.Destinations))
                text.Append(FormatDestinationLine(destination)).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>"IP Virtual Server version 1.2.1 (size=4096)".</summary>
    public static string FormatVersionLine(IpvsInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return string.Create(CultureInfo.InvariantCulture,
            $"IP Virtual Server version {info.Version.Major}.{info.Version.Minor}.{info.Version.Build} (size={unchecked((int)info.ConnectionTableSize)})");
    }

    /// <summary>"Timeout (tcp tcpfin udp): 900 120 300", as `ipvsadm -L --timeout` prints it.</summary>
    public static string FormatTimeouts(IpvsTimeouts timeouts)
    {
        ArgumentNullException.ThrowIfNull(timeouts);
        return string.Create(CultureInfo.InvariantCulture,
            $"Timeout (tcp tcpfin udp): {unchecked((int)timeouts.Tcp)} {unchecked((int)timeouts.TcpFin)} {unchecked((int)timeouts.Udp)}");
    }

    /// <summary>
    /// A service line of `ipvsadm -Ln`: the name and scheduler, then " (scheduler flags)",
    /// " persistent T", " mask M" (when not all ones / 128), " pe NAME" (only when persistent) and " ops".
    /// </summary>
    public static string FormatServiceLine(IpvsService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var line = new StringBuilder(64);
        line.Append(service.Key.ToString()).Append(' ').Append(service.Scheduler);
        if ((service.RawFlags & IpvsConstants.SvcFlagSchedAny) != 0)
            line.Append(" (").Append(IpvsServiceFlags.SchedulerFlagText(service.RawFlags, service.Scheduler)).Append(')');
        if (service.IsPersistent)
        {
            line.Append(" persistent ").Append(service.PersistenceTimeout.ToString(CultureInfo.InvariantCulture));
            if (service.AddressFamily == AddressFamily.InterNetwork && service.Netmask != "255.255.255.255")
                line.Append(" mask ").Append(service.Netmask);
            if (service.AddressFamily == AddressFamily.InterNetworkV6 && service.Netmask != "128")
                line.Append(" mask ").Append(SignedNetmask(service.Netmask));
            if (service.PersistenceEngine is not null) line.Append(" pe ").Append(service.PersistenceEngine);
        }
        if ((service.RawFlags & IpvsConstants.SvcFlagOnePacket) != 0) line.Append(" ops");
        return line.ToString();
    }

    /// <summary>A destination line of `ipvsadm -Ln`: `  -> %-28s %-7s %-6d %-10u %-10u`.</summary>
    public static string FormatDestinationLine(IpvsDestination destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var name = destination.ToString();
        // ipvsadm cuts every name but an IPv6 one at 28 characters.
        if (destination.AddressFamily != AddressFamily.InterNetworkV6 && name.Length > 28) name = name.Substring(0, 28);
        var line = new StringBuilder(80);
        line.Append("  -> ").Append(name.PadRight(28))
            .Append(' ').Append(ForwardingName(destination.ForwardingMethod).PadRight(7))
            .Append(' ').Append(destination.Weight.ToString(CultureInfo.InvariantCulture).PadRight(6))
            .Append(' ').Append(destination.ActiveConnections.ToString(CultureInfo.InvariantCulture).PadRight(10))
            .Append(' ').Append(destination.InactiveConnections.ToString(CultureInfo.InvariantCulture).PadRight(10));
        return line.ToString();
    }

    /// <summary>
    /// ipvsadm's service comparison (ipvs_cmp_services): firewall mark, family, protocol, address and
    /// port, with the fwmark and address differences wrapped to a 32-bit int (so 192.168.0.1 sorts before
    /// 10.96.0.1). Not transitive: sort with <see cref="SortServices"/> to get ipvsadm's exact order.
    /// </summary>
    public static int CompareServices(IpvsServiceKey a, IpvsServiceKey b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return IpvsadmOrder.CompareServices(a, b);
    }

    /// <inheritdoc cref="CompareServices(IpvsServiceKey, IpvsServiceKey)"/>
    public static int CompareServices(IpvsService a, IpvsService b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return IpvsadmOrder.CompareServices(a.Key, b.Key);
    }

    /// <summary>ipvsadm's destination comparison (ipvs_cmp_dests): address (wrapped as for services), then port.</summary>
    public static int CompareDestinations(IpvsDestination a, IpvsDestination b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return IpvsadmOrder.CompareDestinations(a, b);
    }

    /// <summary><see cref="CompareServices(IpvsService, IpvsService)"/> as a comparer (for a sort that need not match ipvsadm's).</summary>
    public static IComparer<IpvsService> ServiceComparer { get; } = Comparer<IpvsService>.Create(CompareServices);

    /// <summary>The services in the order ipvsadm lists them, given the kernel's order.</summary>
    public static IReadOnlyList<IpvsService> SortServices(IEnumerable<IpvsService> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return IpvsadmOrder.Sort(services, CompareServices);
    }

    /// <summary>The destinations in the order ipvsadm lists them, given the kernel's order.</summary>
    public static IReadOnlyList<IpvsDestination> SortDestinations(IEnumerable<IpvsDestination> destinations)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        return IpvsadmOrder.Sort(destinations, CompareDestinations);
    }

    /// <summary>Masq, Local, Tunnel, Route; glibc prints "(null)" for the name ipvsadm has not.</summary>
    private static string ForwardingName(IpvsForwardingMethod method) => method switch
    {
        IpvsForwardingMethod.Masquerade => "Masq",
        IpvsForwardingMethod.Local => "Local",
        IpvsForwardingMethod.Tunnel => "Tunnel",
        IpvsForwardingMethod.Route => "Route",
        _ => "(null)",
    };

    // ipvsadm prints an IPv6 netmask with %i.
    private static string SignedNetmask(string netmask)
        => uint.TryParse(netmask, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? unchecked((int)value).ToString(CultureInfo.InvariantCulture)
            : netmask;
}
