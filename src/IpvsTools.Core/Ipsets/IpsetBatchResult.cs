using System.Collections.Generic;
using System.Linq;

namespace IpvsTools.Ipsets;

/// <summary>What became of one entry of a batch.</summary>
public enum IpsetOutcome
{
    /// <summary>The kernel applied it.</summary>
    Applied,
    /// <summary>The kernel refused it (see the error); the entries after it were still sent.</summary>
    Failed,
    /// <summary>Not sent: an earlier failure stopped the batch.</summary>
    NotAttempted,
    /// <summary>The request holding it failed as a whole without naming an element: the kernel may or may not hold it.</summary>
    Unknown,
}

/// <summary>One entry's outcome: its position in the batch, its line number on the wire, and the kernel's error if any.</summary>
public sealed record IpsetEntryOutcome(int Index, uint Line, IpsetEntry Entry, IpsetOutcome Outcome, IpvsToolsException? Error);

/// <summary>
/// The outcome of an add or delete batch. The kernel applies a batch element by element and stops at
/// the first refusal, keeping what it applied before; the client then sends the rest again, so every
/// entry ends Applied or Failed unless the whole batch had to stop (<see cref="StoppedBy"/>).
/// </summary>
public sealed class IpsetBatchResult
{
    internal IpsetBatchResult(string setName, IReadOnlyList<IpsetEntryOutcome> outcomes, int requests, IpvsToolsException? stoppedBy)
    {
        SetName = setName;
        Outcomes = outcomes;
        Requests = requests;
        StoppedBy = stoppedBy;
    }

    public string SetName { get; }
    public IReadOnlyList<IpsetEntryOutcome> Outcomes { get; }

    /// <summary>How many netlink requests carried the batch.</summary>
    public int Requests { get; }

    /// <summary>The error that stopped the batch (set missing, permission...), or null.</summary>
    public IpvsToolsException? StoppedBy { get; }

    public int AppliedCount => Outcomes.Count(o => o.Outcome == IpsetOutcome.Applied);
    public IEnumerable<IpsetEntryOutcome> Failures => Outcomes.Where(o => o.Outcome != IpsetOutcome.Applied);
    public bool Succeeded => StoppedBy is null && Outcomes.All(o => o.Outcome == IpsetOutcome.Applied);
}
