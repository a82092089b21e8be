namespace IpvsTools.Iptables;

/// <summary>Which tool set a ruleset belongs to: iptables (IPv4) or ip6tables (IPv6).</summary>
public enum IptablesFamily
{
    IPv4 = 4,
    IPv6 = 6,
}

/// <summary>
/// The kernel interface the iptables tools drive: nf_tables (iptables-nft, what `iptables --version`
/// reports as "(nf_tables)") or the legacy x_tables (iptables-legacy, "(legacy)" or no suffix on old
/// versions). Rules written through one are invisible to the other.
/// </summary>
public enum IptablesBackend
{
    Unknown = 0,
    NfTables = 1,
    Legacy = 2,
}
