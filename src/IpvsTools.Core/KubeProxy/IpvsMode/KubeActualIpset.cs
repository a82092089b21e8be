using System;
using System.Collections.Generic;
using System.Linq;
using IpvsTools.Ipsets;

namespace IpvsTools.KubeProxy.IpvsMode;

/// <summary>An ipset as the planner needs it: name, type and member strings as `ipset list` prints them.</summary>
public sealed class KubeActualIpset
{
    /// <summary>A set read from the kernel.</summary>
    public KubeActualIpset(string name, string type, IReadOnlyList<string> members)
    {
        Name = name;
        Type = type;
        Members = members;
    }

    /// <summary>The set's name.</summary>
    public string Name { get; }

    /// <summary>The set's type.</summary>
    public string Type { get; }

    /// <summary>The members as `ipset list` prints them.</summary>
    public IReadOnlyList<string> Members { get; }

    /// <summary>From the engine's <see cref="Ipset"/> (Get-Ipset's objects).</summary>
    public static KubeActualIpset From(Ipset set)
    {
        ArgumentNullException.ThrowIfNull(set);
        return new KubeActualIpset(set.Name, set.Type, set.Members.Select(m => m.Element).ToList());
    }

    /// <summary>The name.</summary>
    public override string ToString() => Name;
}
