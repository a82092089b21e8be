using IpvsTools.Namespaces;
namespace IpvsTools.Ipsets;

/// <summary>Whether a set holds a member, as the kernel answered an ipset test.</summary>
public sealed class IpsetMemberTestResult
{
    public IpsetMemberTestResult(string setName, string setType, string member, bool isMember, string? networkNamespace = null)
    {
        SetName = setName;
        SetType = setType;
        Member = member;
        IsMember = isMember;
        NetworkNamespace = networkNamespace;
    }

    public string SetName { get; }
    public string SetType { get; }

    /// <summary>The member tested, in ipset's syntax.</summary>
    public string Member { get; }

    /// <summary>True when the set holds it (for sets with a net part: when a network in the set contains it).</summary>
    public bool IsMember { get; }

    /// <summary>The network namespace of the set; null for the caller's own.</summary>
    public string? NetworkNamespace { get; }

    public override string ToString() => $"{Member} {(IsMember ? "is" : "is not")} in {SetName}";
}
