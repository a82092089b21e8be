using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using IpvsTools.Ipsets;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>
/// What Add-, Remove- and Test-IpsetMember share: members gathered from the pipeline into one batch per
/// run of records for the same set and namespace; every member of a batch checked against the set's
/// type, family and options before the kernel is asked; a batch with any invalid member is not sent at
/// all (the kernel state stays as it was).
/// </summary>
public abstract class IpsetMemberCmdlet : IpsetCmdlet
{
    private readonly List<string> _pending = new();
    private (string Key, IpvsTools.Namespaces.NetworkNamespace? Ns, string Set)? _batch;

    /// <summary>The set's name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("SetName")]
    [ArgumentCompleter(typeof(IpsetNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>Members in ipset's element syntax, for example '10.96.0.10,tcp:53' (unquoted, PowerShell splits it at the commas; the parts are joined back).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Element")]
    [AllowEmptyCollection]
    [ArgumentCompleter(typeof(IpsetMemberCompleter))]
    public string[] Member { get; set; } = [];

    protected override object? ErrorTarget => Name;

    /// <summary>"Add", "Remove" or "Test": the verb of messages.</summary>
    protected abstract string Verb { get; }

    /// <summary>Options the cmdlet adds to each element (Add-IpsetMember's -Timeout, -Comment...).</summary>
    protected virtual IpsetEntry MakeEntry(IpsetElement element) => new(element);

    /// <summary>Whether ranges (one element standing for many members) are allowed.</summary>
    protected virtual bool RangesAllowed => true;

    /// <summary>Changes send nothing when any member is invalid; a test still tests the valid ones.</summary>
    protected virtual bool AllOrNothing => true;

    /// <summary>Sends a checked batch and reports its outcome.</summary>
    protected abstract void Apply(IpsetClient client, IpvsTools.Namespaces.NetworkNamespace? ns, Ipset set, IReadOnlyList<IpsetEntry> entries, IReadOnlyList<string> given);

    protected override void Process()
    {
        var ns = ResolveNetworkNamespace();
        var key = (ns?.Path ?? "") + "\0" + Name;
        if (_batch is { } batch && batch.Key != key) Flush();
        _batch = (key, ns, Name);
        foreach (var member in Member)
        {
            if (member is not null) _pending.Add(member);
        }
    }

    protected override void EndProcessing()
    {
        try
        {
            Flush();
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, Name);
        }
    }

    private void Flush()
    {
        if (_batch is not { } batch) return;
        var given = _pending.ToList();
        _pending.Clear();
        _batch = null;
        if (given.Count == 0 || !ValidName(batch.Set)) return;

        var client = Client(batch.Ns);
        var set = client.FindHeader(batch.Set);
        if (set is null)
        {
            NotFound(batch.Set, batch.Ns);
            return;
        }
        var type = IpsetTypeInfo.Find(set.Type);
        if (type is null)
        {
            Refuse($"IpvsTools cannot write members of ipset '{set.Name}': its type {set.Type} is not one it writes ({string.Join(", ", IpsetTypeInfo.Names)}).",
                "UnsupportedType", set.Name, ErrorCategory.NotImplemented);
            return;
        }

        var entries = new List<IpsetEntry>(given.Count);
        var invalid = 0;
        // PowerShell splits an unquoted 10.0.0.1,tcp:80 into two strings: count the members, not the strings.
        var members = Rejoin(given, type.Dimensions.Count, type.LastDimensionOptional).ToList();
        var bitmask = set.Bitmask is null ? null : System.Net.IPAddress.Parse(set.Bitmask);
        foreach (var text in members)
        {
            try
            {
                var element = IpsetElementParser.Parse(text, type, set.Family);
                CheckRange(set, element);
                if (IpsetNullElement.Problem(element, set.Netmask, bitmask, set.Revision) is { } nullProblem)
                    throw new IpsetSyntaxException(nullProblem + ".", text);
                if (!RangesAllowed && element.IsRange)
                    throw new IpsetSyntaxException($"'{text}' stands for several members (a range); {Verb.ToLowerInvariant()} them one at a time.", text);
                var entry = MakeEntry(element);
                entry.ValidateFor(set);
                entries.Add(entry);
            }
            catch (IpvsToolsException ex)
            {
                invalid++;
                var message = ex.Message + (members.Count > 1 && AllOrNothing
                    ? $" Nothing of this batch of {members.Count} members was sent to ipset '{set.Name}'; the kernel state is unchanged."
                    : AllOrNothing ? $" Nothing was sent to ipset '{set.Name}'; the kernel state is unchanged." : "");
                Refuse(message, "InvalidMember", text);
            }
        }
        if (invalid > 0 && AllOrNothing) return;
        Apply(client, batch.Ns, set, entries, given);
    }

    /// <summary>
    /// PowerShell reads an unquoted <c>10.96.0.10,tcp:53</c> as the two strings "10.96.0.10" and "tcp:53".
    /// For a type of several parts, consecutive strings without a comma are joined back by the type's
    /// number of parts; a string with commas is one member as it is. (No part alone is ever a member
    /// of a type of several parts, so this cannot join two real members.)
    /// </summary>
    internal static IEnumerable<string> Rejoin(IReadOnlyList<string> given, int parts, bool lastOptional = false)
    {
        var pending = new List<string>();
        foreach (var text in given)
        {
            // bitmap:ip,mac: an address may come without its MAC; the next address starts the next member.
            if (lastOptional && pending.Count > 0 && IpsetElementParser.TryParseV4(text, out _))
            {
                yield return string.Join(",", pending);
                pending.Clear();
            }
            if (parts == 1 || text.Contains(','))
            {
                if (pending.Count > 0) yield return string.Join(",", pending);
                pending.Clear();
                yield return text;
                continue;
            }
            pending.Add(text);
            if (pending.Count == parts)
            {
                yield return string.Join(",", pending);
                pending.Clear();
            }
        }
        if (pending.Count > 0) yield return string.Join(",", pending);
    }

    /// <summary>A bitmap member must lie in the set's range (else the kernel refuses it: IPSET_ERR_BITMAP_RANGE).</summary>
    private static void CheckRange(Ipset set, IpsetElement element)
    {
        if (!element.Type.IsBitmap || set.Range is null) return;
        var parts = set.Range.Split('-');
        if (parts.Length != 2) return;
        if (element.Address is { } address && IpsetElementParser.TryParseV4(parts[0], out var first) && IpsetElementParser.TryParseV4(parts[1], out var lastAddress))
        {
            if (IpsetElementParser.CompareV4(address, first) < 0 || IpsetElementParser.CompareV4(element.AddressTo ?? address, lastAddress) > 0)
                throw new IpsetSyntaxException($"'{element}' is outside the range {set.Range} of ipset '{set.Name}' (the element is out of the range of the set).", element.Text);
            return;
        }
        if (!ushort.TryParse(parts[0], out var from) || !ushort.TryParse(parts[1], out var to)) return;
        var last = element.PortTo ?? element.Port;
        if (element.Port < from || last > to)
            throw new IpsetSyntaxException($"'{element}' is outside the range {set.Range} of ipset '{set.Name}'.", element.Text);
    }

    /// <summary>"10.0.0.1,tcp:80" or "3 members (10.0.0.1,tcp:80, 10.0.0.2,tcp:80, ...)" for ShouldProcess.</summary>
    protected static string Describe(IReadOnlyList<IpsetEntry> entries)
    {
        if (entries.Count == 1) return "member " + entries[0];
        const int shown = 5;
        var list = string.Join(", ", entries.Take(shown).Select(e => e.ToString()));
        return $"{entries.Count} members ({list}{(entries.Count > shown ? ", ..." : "")})";
    }

    /// <summary>Writes one error per member the kernel refused, and the error that stopped the batch if any.</summary>
    protected void ReportOutcome(IpsetBatchResult result, IpvsTools.Namespaces.NetworkNamespace? ns)
    {
        foreach (var failure in result.Failures)
        {
            if (failure.Outcome == IpsetOutcome.Failed && failure.Error is not null)
                Report(failure.Error, failure.Entry.Element.Text);
        }
        if (result.StoppedBy is { } stopped)
        {
            var notSent = result.Outcomes.Count(o => o.Outcome is IpsetOutcome.NotAttempted or IpsetOutcome.Unknown);
            Report(new IpvsToolsException($"{stopped.Message} {result.AppliedCount} member(s) were applied, {notSent} not.", stopped.Kind, stopped),
                result.SetName);
        }
        WriteVerbose($"{Verb} ipset '{result.SetName}'{Where(ns)}: {result.AppliedCount} of {result.Outcomes.Count} member(s) applied in {result.Requests} request(s).");
    }
}
