using System.Collections.Generic;

namespace IpvsTools.Ipvs;

/// <summary>A line of a batch the kernel refused, with the words of its error.</summary>
public sealed class IpvsApplyFailure
{
    internal IpvsApplyFailure(int index, IpvsConfigOperation operation, IpvsToolsException error)
    {
        Index = index;
        Operation = operation;
        Error = error;
    }

    /// <summary>The operation's position in the list given to <see cref="IpvsClient.ApplyAll"/>.</summary>
    public int Index { get; }

    /// <summary>The refused operation (its line number and text).</summary>
    public IpvsConfigOperation Operation { get; }

    /// <summary>Why, naming the service or real server.</summary>
    public IpvsToolsException Error { get; }
}

/// <summary>What became of a batch: how many operations were sent (the rest were not) and which the kernel refused.</summary>
public sealed class IpvsApplyResult
{
    internal IpvsApplyResult(int count, int sent, IReadOnlyList<IpvsApplyFailure> failures)
    {
        Count = count;
        Sent = sent;
        Failures = failures;
    }

    /// <summary>How many operations the batch held.</summary>
    public int Count { get; }

    /// <summary>The first <see cref="Sent"/> operations were sent to the kernel; the ones after them were not.</summary>
    public int Sent { get; }

    /// <summary>How many the kernel applied: the sent ones it did not refuse.</summary>
    public int Applied => Sent - Failures.Count;

    /// <summary>The refused operations, in order.</summary>
    public IReadOnlyList<IpvsApplyFailure> Failures { get; }
}
