using System;

namespace IpvsTools.Iptables;

/// <summary>What iptables accepts as a table and a chain name, checked before any tool runs.</summary>
internal static class IptablesNames
{
    /// <summary>Chain names are limited to 28 characters (XT_EXTENSION_MAXNAMELEN - 1).</summary>
    public const int MaxChainNameLength = 28;

    private static readonly string[] KnownTables = { "filter", "nat", "mangle", "raw", "security" };

    /// <summary>Refuses names iptables would refuse: empty, longer than 28 characters, with spaces, starting with '-' or '!'.</summary>
    public static void CheckChain(string chain)
    {
        if (string.IsNullOrEmpty(chain)) throw new IpvsToolsException("A chain name cannot be empty.", FailureKind.InvalidArgument);
        if (chain.Length > MaxChainNameLength)
            throw new IpvsToolsException($"Chain name '{chain}' is {chain.Length} characters long; iptables allows at most {MaxChainNameLength}.", FailureKind.InvalidArgument);
        foreach (var c in chain)
        {
            if (char.IsWhiteSpace(c) || c is '"' or '\'' || char.IsControl(c))
                throw new IpvsToolsException($"Chain name '{chain}' holds a space, quote or control character.", FailureKind.InvalidArgument);
        }
        if (chain[0] is '-' or '!') throw new IpvsToolsException($"Chain name '{chain}' cannot start with '{chain[0]}'.", FailureKind.InvalidArgument);
    }

    /// <summary>Refuses anything but filter, nat, mangle, raw and security.</summary>
    public static void CheckTable(string table)
    {
        if (Array.IndexOf(KnownTables, table) < 0)
            throw new IpvsToolsException($"'{table}' is not an iptables table (filter, nat, mangle, raw, security).", FailureKind.InvalidArgument);
    }
}
