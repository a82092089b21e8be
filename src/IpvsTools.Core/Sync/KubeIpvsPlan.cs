using System;
using System.Collections.Generic;
using System.Linq;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.Sync;

/// <summary>The ordered writes that bring a node to the desired state, and what they leave alone.</summary>
public sealed class KubeIpvsPlan
{
    /// <summary>A plan.</summary>
    public KubeIpvsPlan(IReadOnlyList<KubeIpvsOperation> operations, IReadOnlyList<KubeDrainingDestination> draining, IReadOnlyList<IpvsServiceKey> foreign)
    {
        Operations = operations;
        Draining = draining;
        Foreign = foreign;
    }

    /// <summary>The writes, in the order they must be made.</summary>
    public IReadOnlyList<KubeIpvsOperation> Operations { get; }

    /// <summary>Real servers still draining (weight 0, connections left): no write now, removed by a later sync.</summary>
    public IReadOnlyList<KubeDrainingDestination> Draining { get; }

    /// <summary>Virtual servers that are not the cluster's and were left alone.</summary>
    public IReadOnlyList<IpvsServiceKey> Foreign { get; }

    /// <summary>True when nothing needs writing.</summary>
    public bool IsEmpty => Operations.Count == 0;

    /// <summary>One operation a line.</summary>
    public override string ToString() => string.Join(Environment.NewLine, Operations.Select(o => o.ToString()));
}
