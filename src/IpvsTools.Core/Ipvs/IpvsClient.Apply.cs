using System;
using System.Collections.Generic;
using IpvsTools.Netlink;
using System.Runtime.CompilerServices;

namespace IpvsTools.Ipvs;

// Many changes at once: restore files and plans of thousands of lines.
public sealed partial class IpvsClient
{
    /// <summary>
    /// How many changes may wait for their answer at once: each answer takes about 1 KiB of the
    /// socket's receive buffer (1 MiB, doubled by the kernel, for root), so this stays far from
    /// overflowing it; a smaller buffer (rmem_max in a container) lowers it (RepliesTheBufferHolds).
    /// </summary>
    public const int MaxChangesInFlight = 512;

    /// <summary>
    /// Applies restore lines in order, as <see cref="Apply"/> would one by one, but hundreds per system
    /// call: the kernel handles the messages of one datagram in order, each on its own, and answers each.
    /// After the first refusal no further line is sent; the lines already on their way (at most
    /// <see cref="MaxChangesInFlight"/>) are still answered, and each refusal is reported with its line.
    /// Permission denied is thrown: no line could succeed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public IpvsApplyResult ApplyAll(IReadOnlyList<IpvsConfigOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var requests = new byte[operations.Count][];
        for (var i = 0; i < operations.Count; i++) requests[i] = ChangeFor(operations[i]).Request.ToArray();
        var failures = new List<IpvsApplyFailure>();
        var sent = _socket.ExecuteBatch(requests, _socket.RepliesTheBufferHolds(MaxChangesInFlight), (index, error, text) =>
        {
            if (error == 0) return true;
            var operation = operations[index];
            var change = ChangeFor(operation);
            var wrapped = ErrorOf(change, new NetlinkException(error, text, change.Describe() + Where()));
            if (wrapped.Kind is FailureKind.PermissionDenied) throw wrapped;
            failures.Add(new IpvsApplyFailure(index, operation, wrapped));
            return false;
        }, "Applying IPVS changes" + Where());
        failures.Sort((a, b) => a.Index.CompareTo(b.Index));
        return new IpvsApplyResult(operations.Count, sent, failures);
    }
}
