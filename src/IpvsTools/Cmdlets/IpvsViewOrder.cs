using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Net;
using IpvsTools.Ipvs;

namespace IpvsTools.Commands;

/// <summary>
/// For the format views (IpvsTools.Format.ps1xml): a service's real servers in the order ipvsadm lists
/// them, for services read here and for the property bags remoting returns (Invoke-Command), so a
/// fleet's table reads like each node's own.
/// </summary>
public static class IpvsViewOrder
{
    private static readonly IpvsServiceKey AnyService = IpvsServiceKey.ForFirewallMark(1);

    /// <summary>The Destinations of <paramref name="service"/> in ipvsadm's order; bags that carry no address keep the order they came in.</summary>
    public static object[] Destinations(object? service)
    {
        if (service is null) return [];
        var value = PSObject.AsPSObject(service).Properties["Destinations"]?.Value;
        if (value is PSObject wrapped) value = wrapped.BaseObject;
        if (value is IEnumerable<IpvsDestination> live) return [.. IpvsadmText.SortDestinations(live)];
        if (value is not IEnumerable items || value is string) return [];
        var bags = items.Cast<object>().ToList();
        // ipvsadm compares address and port only: stand-ins with those sort exactly as the originals would.
        var originals = new Dictionary<IpvsDestination, object>(ReferenceEqualityComparer.Instance);
        var standIns = new List<IpvsDestination>(bags.Count);
        foreach (var bag in bags)
        {
            var properties = PSObject.AsPSObject(bag).Properties;
            IPAddress? address;
            ushort port;
            try
            {
                address = IPAddressTransformationAttribute.ToAddress(properties["Address"]?.Value);
                port = Convert.ToUInt16(properties["Port"]?.Value ?? 0, CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is ArgumentTransformationMetadataException or FormatException or InvalidCastException or OverflowException)
            {
                return [.. bags];
            }
            if (address is null) return [.. bags];
            var standIn = new IpvsDestination(AnyService, address.AddressFamily, address, port, IpvsForwardingMethod.Masquerade,
                0, 0, 0, 0, 0, 0, null, null, null, IpvsStatistics.Zero, IpvsRates.Zero);
            originals[standIn] = bag;
            standIns.Add(standIn);
        }
        return [.. IpvsadmText.SortDestinations(standIns).Select(d => originals[d])];
    }
}
