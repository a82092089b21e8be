using System.Management.Automation;
using IpvsTools.Ipsets;

namespace IpvsTools.Commands;

/// <summary>Rename-Ipset: gives a set a new name (ipset rename). The kernel renames only sets no iptables rule references.</summary>
[Cmdlet(VerbsCommon.Rename, "Ipset", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Ipset))]
public sealed class RenameIpsetCommand : IpsetCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("SetName")]
    [ArgumentCompleter(typeof(IpsetNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string NewName { get; set; } = "";

    /// <summary>Writes the set under its new name.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override object? ErrorTarget => Name;

    protected override void Process()
    {
        var ns = ResolveNetworkNamespace();
        if (!ValidName(Name) || !ValidName(NewName)) return;
        var client = Client(ns);
        var set = client.FindHeader(Name);
        if (set is null)
        {
            NotFound(Name, ns);
            return;
        }
        if (client.FindHeader(NewName) is not null)
        {
            Refuse($"A set named '{NewName}' already exists{Where(ns)}; rename it or remove it first.", "AlreadyExists", NewName, ErrorCategory.ResourceExists);
            return;
        }
        if (set.References > 0)
        {
            Refuse($"Ipset '{Name}' is referenced {set.References} time(s) by iptables rules or other sets; the kernel renames only unreferenced sets. " +
                "Switch-Ipset swaps two sets while they are referenced.", "Busy", Name, ErrorCategory.ResourceBusy);
            return;
        }
        if (!ShouldProcess(Name + Where(ns), $"Rename ipset to '{NewName}'")) return;
        try
        {
            client.Rename(Name, NewName);
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, Name);
            return;
        }
        if (PassThru) PassThruSet(client, NewName);
    }
}
