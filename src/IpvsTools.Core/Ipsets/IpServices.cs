using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace IpvsTools.Ipsets;

/// <summary>
/// Port names as the ipset tool reads them: getservbyname(name, protocol), that is the system's
/// /etc/services (names and aliases per protocol). A name holding a dash is written in brackets
/// (<c>tcp:[ftp-data]</c>), as ipset escapes it. Members are always printed with numbers.
/// </summary>
internal static class IpServices
{
    private static readonly Lazy<Dictionary<(string Name, string Protocol), ushort>> Table = new(Load);

    /// <summary>The port of service <paramref name="name"/> for <paramref name="protocol"/> (tcp, udp, sctp...), from /etc/services.</summary>
    public static bool TryParse(string name, string protocol, out ushort port)
    {
        if (name.Length > 2 && name[0] == '[' && name[^1] == ']') name = name.Substring(1, name.Length - 2);
        return Table.Value.TryGetValue((name, protocol), out port);
    }

    private static Dictionary<(string, string), ushort> Load()
    {
        var table = new Dictionary<(string, string), ushort>();
        try
        {
            foreach (var raw in File.ReadLines("/etc/services"))
            {
                var hash = raw.IndexOf('#');
                var line = hash >= 0 ? raw.Substring(0, hash) : raw;
                var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 2) continue;
                var slash = fields[1].IndexOf('/');
                if (slash <= 0 || !ushort.TryParse(fields[1].AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out var port)) continue;
                var protocol = fields[1].Substring(slash + 1);
                for (var i = 0; i < fields.Length; i++)
                {
                    if (i == 1) continue;
                    table.TryAdd((fields[i], protocol), port);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return table;
    }
}
