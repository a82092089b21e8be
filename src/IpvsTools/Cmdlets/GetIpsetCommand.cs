using System;
using System.Collections.Generic;
using System.Management.Automation;
using IpvsTools.Ipsets;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>Get-Ipset: the kernel's ipsets with their headers and members, read over nfnetlink.</summary>
[Cmdlet(VerbsCommon.Get, "Ipset")]
[OutputType(typeof(Ipset))]
public sealed class GetIpsetCommand : KernelCmdlet
{
    /// <summary>Set names; wildcards allowed. Omitted: every set.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(IpsetNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        var ns = ResolveNetworkNamespace();
        try
        {
            using var client = IpsetClient.Open(ns);
            if (Name is null)
            {
                foreach (var set in client.List()) WriteObject(set);
                return;
            }

            IReadOnlyList<Ipset>? all = null;
            foreach (var name in Name)
            {
                if (WildcardPattern.ContainsWildcardCharacters(name))
                {
                    all ??= client.List();
                    var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                    foreach (var set in all)
                    {
                        if (pattern.IsMatch(set.Name)) WriteObject(set);
                    }
                    continue;
                }
                try
                {
                    // A name that cannot be a set name (over 31 bytes) is bad input, not a missing set.
                    IpsetNames.Validate(name);
                }
                catch (IpvsToolsException ex)
                {
                    WriteError(new ErrorRecord(new ArgumentException(ex.Message, nameof(Name), ex), ErrorIdPrefix + "InvalidName", ErrorCategory.InvalidArgument, name));
                    continue;
                }
                try
                {
                    foreach (var set in client.List(name)) WriteObject(set);
                }
                catch (IpvsToolsException ex) when (ex.Kind is FailureKind.NotFound)
                {
                    WriteError(new ErrorRecord(new ItemNotFoundException($"No ipset named '{name}' exists{Where(ns)}. List the sets with Get-Ipset.", ex),
                        ErrorIdPrefix + Condition(ex.Kind), Category(ex.Kind), name));
                }
            }
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, (object?)Name ?? NetworkNamespace);
        }
    }
}
