using System.Collections.Generic;

namespace IpvsTools.Ipsets;

/// <summary>The commands an `ipset restore` file can hold.</summary>
public enum IpsetRestoreCommand
{
    Create,
    Add,
    Delete,
    Test,
    Destroy,
    Flush,
    Rename,
    Swap,
}

/// <summary>A line of an `ipset restore` file that is refused; the message names the line.</summary>
public sealed class IpsetRestoreException : IpvsToolsException
{
    public IpsetRestoreException(int lineNumber, string lineText, string problem, FailureKind kind = FailureKind.InvalidArgument, System.Exception? inner = null)
        : base($"Line {lineNumber}: {problem} ({Show(lineText)})", kind, inner)
    {
        LineNumber = lineNumber;
        LineText = lineText;
        Problem = problem;
    }

    public int LineNumber { get; }
    public string LineText { get; }

    /// <summary>What is wrong, without the line.</summary>
    public string Problem { get; }

    private static string Show(string text) => text.Length <= 120 ? text : text.Substring(0, 117) + "...";
}

/// <summary>One command of a restore file, as read (the element is parsed when the set's type is known).</summary>
public sealed class IpsetRestoreLine
{
    internal IpsetRestoreLine(int lineNumber, string text, IpsetRestoreCommand command)
    {
        LineNumber = lineNumber;
        Text = text;
        Command = command;
    }

    public int LineNumber { get; }
    public string Text { get; }
    public IpsetRestoreCommand Command { get; }

    /// <summary>The set; null for destroy and flush of every set.</summary>
    public string? SetName { get; internal set; }

    /// <summary>The second set of rename and swap.</summary>
    public string? OtherName { get; internal set; }

    /// <summary>What create makes.</summary>
    public IpsetCreateOptions? CreateOptions { get; internal set; }

    /// <summary>The element of add, del and test, as written.</summary>
    public string? ElementText { get; internal set; }

    public uint? Timeout { get; internal set; }
    public ulong? Packets { get; internal set; }
    public ulong? Bytes { get; internal set; }
    public string? Comment { get; internal set; }
    public bool NoMatch { get; internal set; }

    /// <summary>hash:net,iface: wildcard (the interface name is a prefix).</summary>
    public bool Wildcard { get; internal set; }

    /// <summary>list:set: the member set named by before or after.</summary>
    public string? Reference { get; internal set; }

    /// <summary>list:set: before (true) or after (false) <see cref="Reference"/>.</summary>
    public bool Before { get; internal set; }
    public uint? SkbMark { get; internal set; }
    public uint? SkbMarkMask { get; internal set; }
    public uint? SkbPriority { get; internal set; }
    public ushort? SkbQueue { get; internal set; }

    /// <summary>A create line whose set is already there (with -exist): the kernel keeps it as it is when its type and options are the same.</summary>
    public bool SetExists { get; internal set; }

    /// <summary>-exist on this line (or on the whole import).</summary>
    public bool Exist { get; internal set; }

    /// <summary>The element with its options, once validated against its set.</summary>
    public IpsetEntry? Entry { get; internal set; }

    public override string ToString() => $"line {LineNumber}: {Text}";
}

/// <summary>A parsed restore file: its commands in order, and the lines refused, each naming its line.</summary>
public sealed class IpsetRestoreScript
{
    internal IpsetRestoreScript(IReadOnlyList<IpsetRestoreLine> lines, IReadOnlyList<IpsetRestoreException> errors)
    {
        Lines = lines;
        Errors = errors;
    }

    public IReadOnlyList<IpsetRestoreLine> Lines { get; }
    public IReadOnlyList<IpsetRestoreException> Errors { get; }
}
