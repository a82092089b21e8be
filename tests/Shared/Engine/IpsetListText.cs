using System.Collections.Generic;
using System.Text;
using IpvsTools.Ipsets;

namespace IpvsTools.Testing;

/// <summary>A test oracle: sets as `ipset list` prints them, to compare with the tool byte for byte.</summary>
internal static class IpsetListText
{
    /// <summary>Sets as `ipset list` prints them: blocks separated by an empty line.</summary>
    public static string Format(IEnumerable<Ipset> sets)
    {
        var text = new StringBuilder();
        var first = true;
        foreach (var set in sets)
        {
            if (!first) text.Append('\n');
            first = false;
            text.Append("Name: ").Append(set.Name).Append('\n')
                .Append("Type: ").Append(set.Type).Append('\n')
                .Append("Revision: ").Append(set.Revision).Append('\n')
                .Append("Header: ").Append(set.Header).Append('\n')
                .Append("Size in memory: ").Append(set.SizeInMemory).Append('\n')
                .Append("References: ").Append(set.References).Append('\n')
                .Append("Number of entries: ").Append(set.EntryCount).Append('\n')
                .Append("Members:\n");
            foreach (var member in set.Members) text.Append(member.ListLine).Append('\n');
        }
        return text.ToString();
    }
}
