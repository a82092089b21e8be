using System.Management.Automation;
using IpvsTools.Ipsets;

namespace IpvsTools.Commands;

/// <summary>
/// Switch-Ipset: swaps two sets of the same type and family (ipset swap): each name then holds the
/// other's members, atomically, while iptables rules keep referring to the names. The way to replace a
/// set's whole content at once: fill a new set, swap, remove the old one.
/// </summary>
[Cmdlet(VerbsCommon.Switch, "Ipset", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Ipset))]
public sealed class SwitchIpsetCommand : IpsetCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("SetName")]
    [ArgumentCompleter(typeof(IpsetNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1)]
    [ArgumentCompleter(typeof(IpsetNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string OtherName { get; set; } = "";

    /// <summary>Writes both sets after the swap.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override object? ErrorTarget => Name;

    protected override void Process()
    {
        var ns = ResolveNetworkNamespace();
        if (!ValidName(Name) || !ValidName(OtherName)) return;
        var client = Client(ns);
        var first = client.FindHeader(Name);
        var second = client.FindHeader(OtherName);
        if (first is null) NotFound(Name, ns);
        if (second is null) NotFound(OtherName, ns);
        if (first is null || second is null) return;
        if (first.Type != second.Type || first.Family != second.Family)
        {
            Refuse($"Ipsets '{Name}' ({first.Type}{(first.Family is null ? "" : " " + first.Family)}) and '{OtherName}' ({second.Type}{(second.Family is null ? "" : " " + second.Family)}) " +
                "differ in type or family; the kernel swaps only sets of the same type and family.", "TypeMismatch", Name);
            return;
        }
        if (!ShouldProcess(Name + Where(ns), $"Swap the members of ipset '{Name}' ({first.EntryCount}) and '{OtherName}' ({second.EntryCount})")) return;
        try
        {
            client.Swap(Name, OtherName);
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, Name);
            return;
        }
        if (PassThru)
        {
            PassThruSet(client, Name);
            PassThruSet(client, OtherName);
        }
    }
}
