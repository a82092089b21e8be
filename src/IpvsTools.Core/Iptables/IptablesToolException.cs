using System;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace IpvsTools.Iptables;

/// <summary>An iptables tool (iptables, iptables-save, iptables-restore...) exited with an error.</summary>
public sealed class IptablesToolException : IpvsToolsException
{
    public IptablesToolException(string message, FailureKind kind, string tool, int exitCode, string standardError, int? line)
        : base(message, kind)
    {
        Tool = tool;
        ExitCode = exitCode;
        StandardError = standardError;
        Line = line;
    }

    public string Tool { get; }
    public int ExitCode { get; }
    public string StandardError { get; }

    /// <summary>The line of the restore input the tool refused, when it named one.</summary>
    public int? Line { get; }

    private static readonly Regex LineNumber = new(@"line:? (\d+)", RegexOptions.CultureInvariant);

    /// <summary>Words the tool's complaint as an error of the right kind, saying what to do where that is known.</summary>
    internal static IptablesToolException From(string tool, int exitCode, string standardError, string context)
    {
        var error = standardError.Trim();
        var match = LineNumber.Match(error);
        int? line = match.Success && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
        var firstLines = string.Join(" ", error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("Try `", StringComparison.Ordinal)));
        FailureKind kind;
        string advice;
        if (Has(error, "Permission denied") || Has(error, "you must be root") || Has(error, "Operation not permitted"))
        {
            kind = FailureKind.PermissionDenied;
            advice = " The iptables tools need root (CAP_NET_ADMIN): run pwsh as root (sudo pwsh).";
        }
        else if (Has(error, "missing kernel module") || Has(error, "do you need to insmod") || Has(error, "Protocol not supported"))
        {
            kind = FailureKind.ModuleMissing;
            advice = " A kernel module the rule needs is not loaded and could not be loaded (modprobe it, for example xt_set, xt_ipvs, iptable_nat).";
        }
        else if (Has(error, "does not exist") || Has(error, "doesn't exist") || Has(error, "No chain/target/match") || Has(error, "Couldn't load")
            || Has(error, "No such file or directory"))
        {
            kind = FailureKind.NotFound;
            advice = "";
        }
        else if (Has(error, "xtables lock") || Has(error, "Resource temporarily unavailable"))
        {
            kind = FailureKind.Busy;
            advice = " Another program holds the xtables lock; try again.";
        }
        else
        {
            kind = line is null ? FailureKind.Other : FailureKind.InvalidArgument;
            advice = "";
        }
        var message = $"{context}: {tool} exited with {exitCode}: {(firstLines.Length > 0 ? firstLines : "(no message)")}.{advice}";
        return new IptablesToolException(message, kind, tool, exitCode, standardError, line);
    }

    private static bool Has(string text, string part) => text.Contains(part, StringComparison.OrdinalIgnoreCase);
}

/// <summary>The iptables tool itself is not installed (or not on PATH).</summary>
public sealed class IptablesToolMissingException : IpvsToolsException
{
    public IptablesToolMissingException(string tool, Exception? inner = null)
        : base($"'{tool}' could not be started: the iptables tools are not installed or not on PATH. Install them (Debian, Ubuntu: apt-get install iptables; the -nft and -legacy variants come with iptables 1.8).",
            FailureKind.NotFound, inner)
        => Tool = tool;

    public string Tool { get; }
}
