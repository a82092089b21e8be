using System.Collections.Generic;
using System.Globalization;

namespace IpvsTools.Ipsets;

/// <summary>
/// An element with the extensions an add may carry: a timeout (sets created with one), counters
/// (sets with counters), a comment (sets with comment) and nomatch (sets with a net dimension).
/// <see cref="ToString"/> is the rest of an `ipset add` line: the element and its options.
/// </summary>
public sealed class IpsetEntry
{
    public const int MaxCommentLength = 255;

    public IpsetEntry(IpsetElement element, uint? timeout = null, ulong? packets = null, ulong? bytes = null,
        string? comment = null, bool noMatch = false, uint? skbMark = null, uint? skbMarkMask = null, uint? skbPriority = null, ushort? skbQueue = null,
        bool wildcard = false)
    {
        Wildcard = wildcard;
        if (wildcard && element.Type.Name != "hash:net,iface")
            throw new IpsetSyntaxException($"wildcard applies to hash:net,iface members; {element.Type.Name} has none.", element.Text);
        SkbMark = skbMark;
        SkbMarkMask = skbMark is null ? null : skbMarkMask ?? 0xFFFFFFFF;
        SkbPriority = skbPriority;
        SkbQueue = skbQueue;
        Element = element ?? throw new System.ArgumentNullException(nameof(element));
        Timeout = timeout;
        Packets = packets;
        Bytes = bytes;
        Comment = string.IsNullOrEmpty(comment) ? null : comment;
        NoMatch = noMatch;
        if (Comment is not null) ValidateComment(Comment);
        if (timeout is { } t) ValidateTimeout(t);
        if (noMatch && !element.Type.HasNetDimension)
            throw new IpsetSyntaxException($"nomatch applies to sets with a net part; {element.Type.Name} has none.", element.Text);
    }

    public IpsetElement Element { get; }
    public uint? Timeout { get; }
    public ulong? Packets { get; }
    public ulong? Bytes { get; }
    public string? Comment { get; }
    public bool NoMatch { get; }

    /// <summary>hash:net,iface: the interface name is a prefix.</summary>
    public bool Wildcard { get; }

    /// <summary>skbinfo sets: the mark (and mask) the set match writes to a packet.</summary>
    public uint? SkbMark { get; }
    public uint? SkbMarkMask { get; }

    /// <summary>skbinfo sets: the priority, major &lt;&lt; 16 | minor.</summary>
    public uint? SkbPriority { get; }

    /// <summary>skbinfo sets: the queue.</summary>
    public ushort? SkbQueue { get; }

    private bool HasSkbInfo => SkbMark is not null || SkbPriority is not null || SkbQueue is not null;

    public bool HasOptions => Timeout is not null || Packets is not null || Bytes is not null || Comment is not null || NoMatch || Wildcard || HasSkbInfo;

    /// <summary>The largest timeout the kernel keeps, in seconds (IPSET_MAX_TIMEOUT: UINT_MAX/2 milliseconds).</summary>
    public const uint MaxTimeout = 2147483;

    /// <summary>Refuses a timeout above <see cref="MaxTimeout"/>.</summary>
    public static void ValidateTimeout(uint timeout)
    {
        if (timeout > MaxTimeout) throw new IpsetSyntaxException($"A timeout is at most {MaxTimeout} seconds; {timeout} is too large.", timeout.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Refuses what the ipset tool refuses in a comment: a double quote, or more than 255 bytes.</summary>
    public static void ValidateComment(string comment)
    {
        if (comment.Contains('"')) throw new IpsetSyntaxException("A comment cannot contain the \" character (ipset refuses it).", comment);
        if (System.Text.Encoding.UTF8.GetByteCount(comment) > MaxCommentLength)
            throw new IpsetSyntaxException($"A comment is at most {MaxCommentLength} bytes.", comment);
        foreach (var c in comment)
        {
            if (c == '\n' || c == '\r' || c == '\0') throw new IpsetSyntaxException("A comment is one line of text.", comment);
        }
    }

    /// <summary>
    /// Refuses options the set cannot hold, as the kernel would (IPSET_ERR_TIMEOUT, _COUNTER, _COMMENT),
    /// before it is asked. <paramref name="set"/> is the set's header as listed.
    /// </summary>
    public void ValidateFor(Ipset set)
    {
        if (Timeout is not null && set.Timeout is null)
            throw new IpsetSyntaxException($"Set '{set.Name}' was created without a timeout, so its members cannot have one.", ToString());
        if ((Packets is not null || Bytes is not null) && !set.Counters)
            throw new IpsetSyntaxException($"Set '{set.Name}' was created without counters, so its members cannot have packets or bytes.", ToString());
        if (Comment is not null && !set.Comment)
            throw new IpsetSyntaxException($"Set '{set.Name}' was created without comment support, so its members cannot have a comment.", ToString());
        if (HasSkbInfo && !set.SkbInfo)
            throw new IpsetSyntaxException($"Set '{set.Name}' was created without skbinfo, so its members cannot have skbmark, skbprio or skbqueue.", ToString());
    }

    public override string ToString()
    {
        if (!HasOptions) return Element.Text;
        var parts = new List<string> { Element.Text };
        if (Timeout is { } timeout) parts.Add("timeout " + timeout.ToString(CultureInfo.InvariantCulture));
        if (NoMatch) parts.Add("nomatch");
        if (Wildcard) parts.Add("wildcard");
        if (Packets is { } packets) parts.Add("packets " + packets.ToString(CultureInfo.InvariantCulture));
        if (Bytes is { } bytes) parts.Add("bytes " + bytes.ToString(CultureInfo.InvariantCulture));
        if (Comment is not null) parts.Add("comment \"" + Comment + "\"");
        if (SkbMark is { } mark) parts.Add(SkbMarkMask == 0xFFFFFFFF ? $"skbmark 0x{mark:x}" : $"skbmark 0x{mark:x}/0x{SkbMarkMask:x}");
        if (SkbPriority is { } priority) parts.Add($"skbprio {priority >> 16:x}:{priority & 0xFFFF:x}");
        if (SkbQueue is { } queue) parts.Add("skbqueue " + queue.ToString(CultureInfo.InvariantCulture));
        return string.Join(" ", parts);
    }
}
