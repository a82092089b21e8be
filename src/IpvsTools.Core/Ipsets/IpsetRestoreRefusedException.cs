using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace IpvsTools.Ipsets;

/// <summary>
/// A restore file refused as a whole before anything was applied: one error that names how many lines
/// were refused, shows the first few with their reasons, and says what to do. <see cref="Lines"/> holds
/// every refused line.
/// </summary>
public sealed class IpsetRestoreRefusedException : IpvsToolsException
{
    /// <summary>How many refused lines the message shows; <see cref="Lines"/> has all.</summary>
    public const int Shown = 5;

    public IpsetRestoreRefusedException(IReadOnlyList<IpsetRestoreException> lines, string? source, bool exist)
        : base(Compose(lines, source, exist), KindOf(lines), lines.Count > 0 ? lines[0] : null)
    {
        Lines = lines;
    }

    /// <summary>Every refused line, in file order.</summary>
    public IReadOnlyList<IpsetRestoreException> Lines { get; }

    // One kind for the whole refusal: the lines' kind when they agree, else InvalidArgument.
    private static FailureKind KindOf(IReadOnlyList<IpsetRestoreException> lines)
        => lines.Select(l => l.Kind).Distinct().Count() == 1 ? lines[0].Kind : FailureKind.InvalidArgument;

    private static string Compose(IReadOnlyList<IpsetRestoreException> lines, string? source, bool exist)
    {
        var text = new StringBuilder();
        var where = source is null ? "" : $" of {source}";
        text.Append(lines.Count == 1 ? $"Line {lines[0].LineNumber}{where} is refused" : $"{lines.Count} lines{where} are refused")
            .Append("; nothing was imported (the kernel state is unchanged).");
        foreach (var line in lines.Take(Shown)) text.Append("\n  ").Append(line.Message);
        if (lines.Count > Shown) text.Append($"\n  ... and {lines.Count - Shown} more line(s).");
        var existing = lines.Count(l => l.Kind == FailureKind.AlreadyExists || (l.Kind == FailureKind.NotFound && l.Problem.Contains("-Exist")));
        if (!exist && existing > 0)
        {
            text.Append(existing == lines.Count
                ? "\nEvery refused line creates or adds what is already there (or deletes what is gone): run again with -Exist to pass over those, as ipset restore -exist does, or clear the sets first (Remove-Ipset)."
                : $"\n{existing} of the refused lines create or add what is already there (or delete what is gone): -Exist passes over those, as ipset restore -exist does; fix the others.");
        }
        return text.ToString();
    }
}
