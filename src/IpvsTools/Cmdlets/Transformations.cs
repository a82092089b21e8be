using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Ipvs;

namespace IpvsTools.Commands;

/// <summary>
/// Turns what arrives for an IPAddress parameter into IPAddress: addresses, strings ("10.96.0.10",
/// "fd00::1"), and the property bags PowerShell remoting and PSSerializer make of IPAddress objects
/// (type name Deserialized.System.Net.IPAddress, whose string form is the address). Arrays element by element.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class IPAddressTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = Unwrap(inputData);
        if (value is null or IPAddress) return value;
        if (value is string text) return Parse(text);
        if (value is IList list && value is not string)
        {
            var result = new IPAddress?[list.Count];
            for (var i = 0; i < list.Count; i++) result[i] = ToAddress(list[i]);
            return result;
        }
        return ToAddress(inputData);
    }

    /// <summary>One value as an address; null stays null.</summary>
    internal static IPAddress? ToAddress(object? item)
    {
        if (item is PSObject wrapped && IsDeserializedAddress(wrapped)) return Parse(wrapped.ToString());
        var value = Unwrap(item);
        return value switch
        {
            null => null,
            IPAddress address => address,
            string text => Parse(text),
            _ => throw new ArgumentTransformationMetadataException(
                $"Cannot convert {value.GetType().Name} '{value}' to an IP address; give an address such as 10.96.0.10 or fd00::1."),
        };
    }

    private static bool IsDeserializedAddress(PSObject value)
        => value.TypeNames.Any(t => t == "Deserialized.System.Net.IPAddress");

    private static object? Unwrap(object? value)
    {
        if (value is PSObject wrapped)
        {
            if (IsDeserializedAddress(wrapped)) return wrapped;
            return wrapped.BaseObject is PSCustomObject ? wrapped : wrapped.BaseObject;
        }
        return value;
    }

    private static IPAddress Parse(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith('[') && trimmed.EndsWith(']')) trimmed = trimmed[1..^1];
        if (IPAddress.TryParse(trimmed, out var address) && address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            return address;
        throw new ArgumentTransformationMetadataException($"'{text}' is not an IP address; give an address such as 10.96.0.10 or fd00::1.");
    }
}

/// <summary>
/// Turns what arrives for a service parameter into an <see cref="IpvsServiceKey"/>: keys, services (their
/// Key), destinations (their Service), service names as Get-IpvsService prints them ("TCP 10.96.0.10:53",
/// "UDP [fd00::10]:53", "FWM 5", "FWM 5 IPv6"), and the property bags remoting makes of all of these
/// (enums arrive as numbers, addresses as bags or strings). Arrays element by element.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class IpvsServiceKeyTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject p && p.BaseObject is not PSCustomObject ? p.BaseObject : inputData;
        if (value is IList list && value is not string)
        {
            var keys = new IpvsServiceKey?[list.Count];
            for (var i = 0; i < list.Count; i++) keys[i] = ToKey(list[i]);
            return keys;
        }
        return ToKey(inputData);
    }

    /// <summary>One value as a key; null stays null.</summary>
    internal static IpvsServiceKey? ToKey(object? item)
    {
        var value = item is PSObject p && p.BaseObject is not PSCustomObject ? p.BaseObject : item;
        switch (value)
        {
            case null: return null;
            case IpvsServiceKey key: return key;
            case IpvsService service: return service.Key;
            case IpvsDestination destination: return destination.Service;
            case string text:
                if (IpvsServiceKey.TryParse(text, out var parsed)) return parsed;
                throw Refuse(text);
        }
        var bag = value as PSObject ?? PSObject.AsPSObject(value);
        var names = bag.TypeNames;
        // A deserialized service or destination: the key travels in its Key or Service property.
        if (names.Any(t => t is "Deserialized.IpvsTools.Ipvs.IpvsService") && bag.Properties["Key"]?.Value is { } inner) return ToKey(inner);
        if (names.Any(t => t is "Deserialized.IpvsTools.Ipvs.IpvsDestination") && bag.Properties["Service"]?.Value is { } owner) return ToKey(owner);
        var fromProperties = FromProperties(bag);
        if (fromProperties is not null) return fromProperties;
        if (IpvsServiceKey.TryParse(bag.ToString(), out var byName)) return byName;
        throw Refuse(bag.ToString());
    }

    /// <summary>A key from FirewallMark, AddressFamily, Protocol, Address and Port properties (numbers or names), or null.</summary>
    private static IpvsServiceKey? FromProperties(PSObject bag)
    {
        object? Get(string name) => bag.Properties[name]?.Value is PSObject v && v.BaseObject is not PSCustomObject ? v.BaseObject : bag.Properties[name]?.Value;
        var markValue = Get("FirewallMark");
        var protocolValue = Get("Protocol");
        if (markValue is null && protocolValue is null) return null;
        try
        {
            var family = ToFamily(Get("AddressFamily"));
            var mark = markValue is null ? 0u : LanguagePrimitives.ConvertTo<uint>(markValue);
            if (mark != 0) return IpvsServiceKey.ForFirewallMark(mark, family ?? AddressFamily.InterNetwork);
            var protocol = ToProtocol(protocolValue);
            var address = IPAddressTransformationAttribute.ToAddress(bag.Properties["Address"]?.Value);
            var port = LanguagePrimitives.ConvertTo<ushort>(Get("Port") ?? 0);
            if (address is null) return null;
            return IpvsServiceKey.ForAddress(protocol, address, port);
        }
        catch (Exception ex) when (ex is PSInvalidCastException or IpvsToolsException or ArgumentTransformationMetadataException or FormatException or OverflowException)
        {
            throw new ArgumentTransformationMetadataException($"'{bag}' does not describe an IPVS service: {ex.Message}", ex);
        }
    }

    private static AddressFamily? ToFamily(object? value) => value switch
    {
        null => null,
        AddressFamily family => family,
        string text when text.Equals("IPv6", StringComparison.OrdinalIgnoreCase) => AddressFamily.InterNetworkV6,
        string text when text.Equals("IPv4", StringComparison.OrdinalIgnoreCase) => AddressFamily.InterNetwork,
        _ => LanguagePrimitives.ConvertTo<AddressFamily>(value),
    };

    private static IpvsProtocol ToProtocol(object? value) => value switch
    {
        IpvsProtocol protocol => protocol,
        string text => Enum.Parse<IpvsProtocol>(text, ignoreCase: true),
        null => IpvsProtocol.None,
        _ => (IpvsProtocol)LanguagePrimitives.ConvertTo<int>(value),
    };

    private static ArgumentTransformationMetadataException Refuse(string text)
        => new($"'{text}' is not an IPVS service; give a service from Get-IpvsService or its name, such as 'TCP 10.96.0.10:53', 'UDP [fd00::10]:53' or 'FWM 5'.");
}
