using System.Collections.Generic;
using System.Management.Automation;
using IpvsTools.Ipsets;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>Remove-IpsetMember: deletes members from a set (ipset del), thousands per netlink request.</summary>
[Cmdlet(VerbsCommon.Remove, "IpsetMember", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Ipset))]
public sealed class RemoveIpsetMemberCommand : IpsetMemberCmdlet
{
    /// <summary>No error for members that are not in the set (ipset del -exist).</summary>
    [Parameter]
    public SwitchParameter Exist { get; set; }

    /// <summary>Writes the set after the members were removed.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override string Verb => "Remove";

    protected override void Apply(IpsetClient client, IpvsTools.Namespaces.NetworkNamespace? ns, Ipset set, IReadOnlyList<IpsetEntry> entries, IReadOnlyList<string> given)
    {
        if (!ShouldProcess(set.Name + Where(ns), "Remove " + Describe(entries))) return;
        ReportOutcome(client.Delete(set.Name, entries, Exist), ns);
        if (PassThru) PassThruSet(client, set.Name);
    }
}
