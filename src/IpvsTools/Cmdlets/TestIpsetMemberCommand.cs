using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using IpvsTools.Ipsets;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>Test-IpsetMember: whether a set holds each member (ipset test), as $true/$false, or as result objects with -Detailed.</summary>
[Cmdlet(VerbsDiagnostic.Test, "IpsetMember", DefaultParameterSetName = QuietSet)]
[OutputType(typeof(bool), ParameterSetName = [QuietSet])]
[OutputType(typeof(IpsetMemberTestResult), ParameterSetName = [DetailedSet])]
public sealed class TestIpsetMemberCommand : IpsetMemberCmdlet
{
    private const string QuietSet = "Quiet";
    private const string DetailedSet = "Detailed";

    /// <summary>Writes an IpsetMemberTestResult per member instead of a bool.</summary>
    [Parameter(Mandatory = true, ParameterSetName = DetailedSet)]
    public SwitchParameter Detailed { get; set; }

    protected override string Verb => "Test";
    protected override bool RangesAllowed => false;
    protected override bool AllOrNothing => false;

    protected override void Apply(IpsetClient client, IpvsTools.Namespaces.NetworkNamespace? ns, Ipset set, IReadOnlyList<IpsetEntry> entries, IReadOnlyList<string> given)
    {
        var elements = entries.Select(e => e.Element).ToList();
        var answers = client.Test(set.Name, elements);
        for (var i = 0; i < elements.Count; i++)
        {
            if (Detailed) WriteObject(new IpsetMemberTestResult(set.Name, set.Type, elements[i].Text, answers[i], ns?.DisplayName));
            else WriteObject(answers[i]);
        }
    }
}
