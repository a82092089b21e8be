using System.Collections.Generic;
using System.Management.Automation;
using IpvsTools.Ipsets;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>Add-IpsetMember: adds members to a set (ipset add), thousands per netlink request.</summary>
[Cmdlet(VerbsCommon.Add, "IpsetMember", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Ipset))]
public sealed class AddIpsetMemberCommand : IpsetMemberCmdlet
{
    /// <summary>Seconds until the kernel removes the member (sets created with a timeout; 0 = never).</summary>
    [Parameter]
    [ValidateRange(0, IpsetEntry.MaxTimeout)]
    public uint? Timeout { get; set; }

    /// <summary>A comment kept with each member (sets created with comment support).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Comment { get; set; }

    /// <summary>Initial packet counter (sets created with counters).</summary>
    [Parameter]
    public ulong? Packets { get; set; }

    /// <summary>Initial byte counter (sets created with counters).</summary>
    [Parameter]
    public ulong? Bytes { get; set; }

    /// <summary>Adds networks as exceptions (nomatch), for sets with a net part.</summary>
    [Parameter]
    public SwitchParameter NoMatch { get; set; }

    /// <summary>No error for members already in the set (ipset add -exist; a timeout or comment given is then updated).</summary>
    [Parameter]
    public SwitchParameter Exist { get; set; }

    /// <summary>Writes the set after the members were added.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override string Verb => "Add";

    protected override IpsetEntry MakeEntry(IpsetElement element) => new(element, Timeout, Packets, Bytes, Comment, NoMatch);

    protected override void Apply(IpsetClient client, IpvsTools.Namespaces.NetworkNamespace? ns, Ipset set, IReadOnlyList<IpsetEntry> entries, IReadOnlyList<string> given)
    {
        if (!ShouldProcess(set.Name + Where(ns), "Add " + Describe(entries))) return;
        ReportOutcome(client.Add(set.Name, entries, Exist), ns);
        if (PassThru) PassThruSet(client, set.Name);
    }
}
