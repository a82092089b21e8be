namespace IpvsTools.Iptables;

/// <summary>Text that is not what iptables-save prints (or iptables-restore reads), with where it went wrong.</summary>
public sealed class IptablesParseException : IpvsToolsException
{
    public IptablesParseException(string message, int lineNumber, string? line)
        : base(lineNumber > 0 ? $"iptables-save text, line {lineNumber}: {message}" : "iptables rule: " + message, FailureKind.Protocol)
    {
        LineNumber = lineNumber;
        Line = line;
    }

    /// <summary>1 for the first line; 0 when a single rule was parsed.</summary>
    public int LineNumber { get; }

    /// <summary>The offending line (cut to 200 characters).</summary>
    public string? Line { get; }
}
