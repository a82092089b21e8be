using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using IpvsTools.Ipsets;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>
/// What the ipset cmdlets share beyond <see cref="KernelCmdlet"/> (the client cache and the error policy):
/// the ipset client of a namespace, set lookups by exact name or wildcard, and engine errors that escape a
/// record reported against its target.
/// </summary>
public abstract class IpsetCmdlet : KernelCmdlet
{
    /// <summary>The work of one pipeline record; engine errors that escape it are reported against <see cref="ErrorTarget"/>.</summary>
    protected abstract void Process();

    /// <summary>What an escaping engine error is about (the set name, usually).</summary>
    protected abstract object? ErrorTarget { get; }

    protected sealed override void ProcessRecord()
    {
        try
        {
            Process();
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, ErrorTarget);
        }
    }

    /// <summary>The client for the namespace of the current record (-NetworkNamespace), opened once.</summary>
    protected IpsetClient Client(NetworkNamespace? ns) => CachedClient(ns, IpsetClient.Open, (object?)ns?.DisplayName ?? "ipset");

    /// <summary>
    /// The sets that <paramref name="names"/> name: a wildcard matches any number (none is not an
    /// error), an exact name must exist (else a NotFound error naming it). Headers only, no members.
    /// </summary>
    protected List<Ipset> ResolveSets(IpsetClient client, NetworkNamespace? ns, IEnumerable<string> names)
    {
        var found = new List<Ipset>();
        IReadOnlyList<Ipset>? all = null;
        foreach (var name in names)
        {
            if (WildcardPattern.ContainsWildcardCharacters(name))
            {
                all ??= client.ListHeaders();
                var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                found.AddRange(all.Where(s => pattern.IsMatch(s.Name) && !found.Any(f => f.Name == s.Name)));
                continue;
            }
            if (!ValidName(name)) continue;
            var set = client.FindHeader(name);
            if (set is null) NotFound(name, ns);
            else if (!found.Any(f => f.Name == set.Name)) found.Add(set);
        }
        return found;
    }

    /// <summary>Checks a set name (1-31 bytes) and writes an InvalidName error when it is not one.</summary>
    protected bool ValidName(string name)
    {
        try
        {
            IpsetNames.Validate(name);
            return true;
        }
        catch (IpvsToolsException ex)
        {
            Refuse(ex.Message, "InvalidName", name);
            return false;
        }
    }

    protected void NotFound(string name, NetworkNamespace? ns)
        => WriteError(new ErrorRecord(new ItemNotFoundException($"No ipset named '{name}' exists{Where(ns)}. List the sets with Get-Ipset."),
            ErrorIdPrefix + "NotFound", ErrorCategory.ObjectNotFound, name));

    /// <summary>Reads one set back (with members) for -PassThru.</summary>
    protected void PassThruSet(IpsetClient client, string name)
    {
        try
        {
            foreach (var set in client.List(name)) WriteObject(set);
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, name);
        }
    }
}
