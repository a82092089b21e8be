using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using IpvsTools.Iptables;

namespace IpvsTools.Commands;

/// <summary>
/// Lets -Family take what other objects carry: IPv4/IPv6 (or 4/6), an ipset's family "inet"/"inet6",
/// and a family-less set's null (bitmap:port), which means IPv4.
/// </summary>
public sealed class IptablesFamilyTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject ps ? ps.BaseObject : inputData;
        if (value is null) return new[] { IptablesFamily.IPv4 };
        if (value is string or IptablesFamily or int) return new[] { One(value) };
        if (value is IEnumerable items)
        {
            var list = new List<IptablesFamily>();
            foreach (var item in items) list.Add(One(item is PSObject p ? p.BaseObject : item));
            return list.ToArray();
        }
        return new[] { One(value) };
    }

    private static IptablesFamily One(object? value) => value switch
    {
        null => IptablesFamily.IPv4,
        IptablesFamily f => f,
        int n when n is 4 or 6 => (IptablesFamily)n,
        string s when s.Equals("inet", StringComparison.OrdinalIgnoreCase) || s.Length == 0 => IptablesFamily.IPv4,
        string s when s.Equals("inet6", StringComparison.OrdinalIgnoreCase) => IptablesFamily.IPv6,
        string s when Enum.TryParse<IptablesFamily>(s, true, out var f) && Enum.IsDefined(f) => f,
        _ => throw new ArgumentTransformationMetadataException($"'{value}' is not an address family: use IPv4 or IPv6 (inet and inet6 are accepted too)."),
    };
}
