using System.Collections;
using System.Linq;
using System.Management.Automation;

namespace IpvsTools.Commands;

/// <summary>
/// PowerShell reads an unquoted <c>hash:ip,port</c> as the array ("hash:ip", "port"); this joins such an
/// array back with commas, so a set type can be typed as ipset takes it.
/// </summary>
public sealed class JoinCommaSplitAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject ps ? ps.BaseObject : inputData;
        if (value is string || value is not IEnumerable items) return inputData;
        return string.Join(",", items.Cast<object?>().Select(i => (i is PSObject p ? p.BaseObject : i)?.ToString()));
    }
}
