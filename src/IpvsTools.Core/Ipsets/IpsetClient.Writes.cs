using System;
using System.Collections.Generic;
using IpvsTools.Netlink;

namespace IpvsTools.Ipsets;

/// <summary>The revisions of a set type the kernel has for a family (IPSET_CMD_TYPE).</summary>
public sealed record IpsetTypeRevisions(string Type, string? Family, byte Minimum, byte Maximum);

public sealed partial class IpsetClient
{
    /// <summary>The ADT nest is one attribute: its length is a u16, so a batch request stays below 64 KiB.</summary>
    internal const int MaxBatchBytes = 60 * 1024;

    /// <summary>Asks the kernel which revisions of <paramref name="type"/> it has for <paramref name="family"/> (null: bitmap types).</summary>
    public IpsetTypeRevisions GetTypeRevisions(string type, string? family)
    {
        var context = $"Asking the kernel for ipset type {type}{(family is null ? "" : " family " + family)}" + Where();
        byte? maximum = null, minimum = null;
        try
        {
            _socket.Execute(IpsetRequests.Type(Protocol, type, IpsetRequests.FamilyByte(family)), reply =>
            {
                if (reply.Type != IpsetConstants.MessageType(IpsetConstants.CmdType)) return;
                var attributes = reply.Attributes(4);
                while (attributes.TryRead(out var attribute))
                {
                    if (attribute.Type == IpsetConstants.AttrRevision) maximum = attribute.GetU8();
                    else if (attribute.Type == IpsetConstants.AttrProtocolMin) minimum = attribute.GetU8();
                }
            }, context);
        }
        catch (NetlinkException ex)
        {
            throw IpsetErrors.ToException(ex, context);
        }
        if (maximum is null) throw new NetlinkDecodeException($"the kernel's reply about type {type} named no revision");
        return new IpsetTypeRevisions(type, family, minimum ?? maximum.Value, maximum.Value);
    }

    /// <summary>
    /// Creates a set with the newest revision of its type the kernel has (asked, never assumed). With
    /// <paramref name="exist"/>, an existing set of the same type and options is not an error (ipset -exist).
    /// Returns the revision used.
    /// </summary>
    public byte Create(string name, IpsetCreateOptions options, bool exist = false)
    {
        IpsetNames.Validate(name);
        options.Validate();
        var revision = GetTypeRevisions(options.Type, options.EffectiveFamily).Maximum;
        // The kernel's revision decides which options the type has (netmask on hash:ip,port from revision 7...).
        options.Validate(revision);
        var context = $"Creating ipset '{name}' ({options})" + Where();
        try
        {
            _socket.Execute(IpsetRequests.Create(Protocol, name, options, revision, exist), null, context);
        }
        catch (NetlinkException ex) when (ex.Errno == Errno.EEXIST)
        {
            throw NetlinkException.Worded(ex.Errno, $"{context}: a set named '{name}' already exists" +
                (exist ? " with another type or other options." : "."), FailureKind.AlreadyExists, ex.KernelMessage);
        }
        catch (NetlinkException ex)
        {
            throw IpsetErrors.ToException(ex, context);
        }
        return revision;
    }

    /// <summary>Destroys a set; with <paramref name="exist"/> a missing set is not an error.</summary>
    public void Destroy(string name, bool exist = false)
    {
        IpsetNames.Validate(name);
        var context = $"Destroying ipset '{name}'" + Where();
        try
        {
            _socket.Execute(IpsetRequests.Destroy(Protocol, name, exist), null, context);
        }
        catch (NetlinkException ex) when (ex.Errno == IpsetErrors.Busy)
        {
            throw NetlinkException.Worded(ex.Errno, $"{context}: iptables rules or other sets refer to it (see its References); remove them first.",
                FailureKind.Busy, ex.KernelMessage);
        }
        catch (NetlinkException ex)
        {
            throw IpsetErrors.ToException(ex, context);
        }
    }

    /// <summary>Destroys every set of the namespace (the kernel refuses all of it while any set is referenced).</summary>
    public void DestroyAll()
    {
        var context = "Destroying every ipset" + Where();
        try
        {
            _socket.Execute(IpsetRequests.Destroy(Protocol, null, exist: false), null, context);
        }
        catch (NetlinkException ex) when (ex.Errno == IpsetErrors.Busy)
        {
            throw NetlinkException.Worded(ex.Errno, $"{context}: iptables rules or other sets refer to some set; the kernel destroys none while any is referenced.",
                FailureKind.Busy, ex.KernelMessage);
        }
        catch (NetlinkException ex)
        {
            throw IpsetErrors.ToException(ex, context);
        }
    }

    /// <summary>Removes every member of a set, or of every set when <paramref name="name"/> is null.</summary>
    public void Flush(string? name)
    {
        if (name is not null) IpsetNames.Validate(name);
        var context = (name is null ? "Flushing every ipset" : $"Flushing ipset '{name}'") + Where();
        try
        {
            _socket.Execute(IpsetRequests.Flush(Protocol, name), null, context);
        }
        catch (NetlinkException ex)
        {
            throw IpsetErrors.ToException(ex, context);
        }
    }

    /// <summary>Renames a set. The kernel refuses while iptables rules refer to it, or when the new name is taken.</summary>
    public void Rename(string name, string newName)
    {
        IpsetNames.Validate(name);
        IpsetNames.Validate(newName);
        var context = $"Renaming ipset '{name}' to '{newName}'" + Where();
        try
        {
            _socket.Execute(IpsetRequests.Rename(Protocol, name, newName), null, context);
        }
        catch (NetlinkException ex) when (ex.Errno == IpsetErrors.ExistSetName2)
        {
            throw NetlinkException.Worded(ex.Errno, $"{context}: a set named '{newName}' already exists.", FailureKind.AlreadyExists, ex.KernelMessage);
        }
        catch (NetlinkException ex) when (ex.Errno == IpsetErrors.Referenced)
        {
            throw NetlinkException.Worded(ex.Errno, $"{context}: iptables rules or other sets refer to it (see its References); the kernel renames only unreferenced sets. Switch-Ipset swaps names while referenced.",
                FailureKind.Busy, ex.KernelMessage);
        }
        catch (NetlinkException ex)
        {
            throw IpsetErrors.ToException(ex, context);
        }
    }

    /// <summary>Swaps two sets of the same type and family: each name then holds the other's members (references stay with the name).</summary>
    public void Swap(string name, string otherName)
    {
        IpsetNames.Validate(name);
        IpsetNames.Validate(otherName);
        var context = $"Swapping ipsets '{name}' and '{otherName}'" + Where();
        try
        {
            _socket.Execute(IpsetRequests.Swap(Protocol, name, otherName), null, context);
        }
        catch (NetlinkException ex) when (ex.Errno == IpsetErrors.ExistSetName2)
        {
            throw NetlinkException.Worded(ex.Errno, $"{context}: there is no set named '{otherName}'.", FailureKind.NotFound, ex.KernelMessage);
        }
        catch (NetlinkException ex) when (ex.Errno == IpsetErrors.TypeMismatch)
        {
            throw NetlinkException.Worded(ex.Errno, $"{context}: the kernel swaps only sets of the same type and family.", FailureKind.InvalidArgument, ex.KernelMessage);
        }
        catch (NetlinkException ex)
        {
            throw IpsetErrors.ToException(ex, context);
        }
    }

    /// <summary>Adds entries in batches (see <see cref="IpsetBatchResult"/>). <paramref name="lines"/> numbers the entries on the wire (default: 1, 2, ...).</summary>
    public IpsetBatchResult Add(string name, IReadOnlyList<IpsetEntry> entries, bool exist = false, IReadOnlyList<uint>? lines = null,
        bool stopAtFirstFailure = false)
        => Batch(IpsetConstants.CmdAdd, name, entries, exist, lines, stopAtFirstFailure);

    /// <summary>Deletes entries in batches (only the element of each entry is sent).</summary>
    public IpsetBatchResult Delete(string name, IReadOnlyList<IpsetEntry> entries, bool exist = false, IReadOnlyList<uint>? lines = null,
        bool stopAtFirstFailure = false)
        => Batch(IpsetConstants.CmdDel, name, entries, exist, lines, stopAtFirstFailure);

    /// <summary>
    /// Tests elements; true where the set holds the element. The kernel takes one element per test
    /// request, so the requests are pipelined. A missing set raises NotFound.
    /// </summary>
    public IReadOnlyList<bool> Test(string name, IReadOnlyList<IpsetElement> elements) => Test(name, elements, null);

    /// <summary>Tests elements as <see cref="Test(string, IReadOnlyList{IpsetElement})"/>; where <paramref name="noMatch"/> says so, as `ipset test SET ELEMENT nomatch`.</summary>
    public IReadOnlyList<bool> Test(string name, IReadOnlyList<IpsetElement> elements, IReadOnlyList<bool>? noMatch)
    {
        IpsetNames.Validate(name);
        var results = new bool[elements.Count];
        if (elements.Count == 0) return results;
        var requests = new List<byte[]>(elements.Count);
        for (var i = 0; i < elements.Count; i++) requests.Add(IpsetRequests.Test(Protocol, name, elements[i], noMatch?[i] == true).ToArray());
        var context = $"Testing members of ipset '{name}'" + Where();
        (int Index, int Errno, string? Text)? failure = null;
        try
        {
            _socket.ExecuteBatch(requests, _socket.RepliesTheBufferHolds(256), (index, errno, text) =>
            {
                if (errno == 0) results[index] = true;
                else if (errno == IpsetErrors.Exist) results[index] = false;
                else failure ??= (index, errno, text);
            }, context);
        }
        catch (NetlinkException ex)
        {
            throw IpsetErrors.ToException(ex, context);
        }
        if (failure is { } f)
            throw IpsetErrors.ToException(new NetlinkException(f.Errno, f.Text), $"Testing {elements[f.Index]} in ipset '{name}'" + Where(), elements[f.Index].Type.Name);
        return results;
    }

    private IpsetBatchResult Batch(byte command, string name, IReadOnlyList<IpsetEntry> entries, bool exist, IReadOnlyList<uint>? lines, bool stopAtFirstFailure)
    {
        IpsetNames.Validate(name);
        if (lines is not null && lines.Count != entries.Count) throw new ArgumentException("One line number per entry.", nameof(lines));
        uint Line(int i) => lines?[i] ?? (uint)(i + 1);
        var add = command == IpsetConstants.CmdAdd;
        var outcomes = new IpsetEntryOutcome?[entries.Count];
        var requests = 0;
        IpvsToolsException? stoppedBy = null;
        var next = 0;
        while (next < entries.Count)
        {
            // As many entries as fit one ADT nest.
            var end = next;
            var bytes = 0;
            while (end < entries.Count)
            {
                var size = IpsetRequests.EncodedLength(entries[end], add);
                if (end > next && bytes + size > MaxBatchBytes) break;
                bytes += size;
                end++;
            }
            requests++;
            var context = $"{(add ? "Adding" : "Deleting")} {end - next} member(s) {(add ? "to" : "from")} ipset '{name}'" + Where();
            try
            {
                _socket.Execute(IpsetRequests.Batch(command, Protocol, name, entries, next, end - next, Line, exist), null, context);
                for (var i = next; i < end; i++) outcomes[i] = new IpsetEntryOutcome(i, Line(i), entries[i], IpsetOutcome.Applied, null);
                next = end;
                continue;
            }
            catch (NetlinkException ex)
            {
                var failed = FailedIndex(ex.EchoedRequest, next, end, Line);
                if (failed < 0)
                {
                    // Nothing names an element: the request failed as a whole (no such set, no permission...).
                    stoppedBy = ex.Errno == Errno.ENOENT
                        ? NetlinkException.Worded(ex.Errno, $"{context}: there is no set named '{name}'{Where()}.", FailureKind.NotFound, ex.KernelMessage)
                        : IpsetErrors.ToException(ex, context);
                    // A missing set or a refused permission stops the kernel before any element; anything else may have come later.
                    var outcome = ex.Errno is Errno.ENOENT or Errno.EPERM ? IpsetOutcome.NotAttempted : IpsetOutcome.Unknown;
                    for (var i = next; i < end; i++) outcomes[i] = new IpsetEntryOutcome(i, Line(i), entries[i], outcome, stoppedBy);
                    next = end;
                    break;
                }
                for (var i = next; i < failed; i++) outcomes[i] = new IpsetEntryOutcome(i, Line(i), entries[i], IpsetOutcome.Applied, null);
                outcomes[failed] = new IpsetEntryOutcome(failed, Line(failed), entries[failed], IpsetOutcome.Failed,
                    IpsetErrors.ForElement(ex, add, name, entries[failed], Where()));
                next = failed + 1;
                if (stopAtFirstFailure) break;
            }
        }
        for (var i = 0; i < entries.Count; i++)
            outcomes[i] ??= new IpsetEntryOutcome(i, Line(i), entries[i], IpsetOutcome.NotAttempted, stoppedBy);
        return new IpsetBatchResult(name, outcomes!, requests, stoppedBy);
    }

    /// <summary>The index of the entry whose line the kernel wrote into the echoed request's LINENO, or -1.</summary>
    private static int FailedIndex(byte[]? echo, int start, int end, Func<int, uint> line)
    {
        if (echo is null || echo.Length < NetlinkConstants.HeaderLength + 4) return -1;
        uint? lineNo = null;
        try
        {
            var attributes = new NetlinkAttributeReader(echo.AsSpan(NetlinkConstants.HeaderLength + 4));
            while (attributes.TryRead(out var attribute))
            {
                if (attribute.Type == IpsetConstants.AttrLineNo && attribute.Payload.Length >= 4) lineNo = attribute.GetU32();
            }
        }
        catch (NetlinkDecodeException)
        {
            return -1;
        }
        if (lineNo is not { } value || value == 0) return -1;
        for (var i = start; i < end; i++)
        {
            if (line(i) == value) return i;
        }
        return -1;
    }
}
