namespace IpvsTools.Ipsets;

/// <summary>Rules for set names, checked before the kernel is asked.</summary>
public static class IpsetNames
{
    public const int MaxLength = 31;

    public static void Validate(string name)
    {
        if (string.IsNullOrEmpty(name))
            throw new IpvsToolsException("An ipset name cannot be empty.", FailureKind.InvalidArgument);
        if (System.Text.Encoding.UTF8.GetByteCount(name) > MaxLength)
            throw new IpvsToolsException($"The ipset name '{name}' is longer than {MaxLength} bytes.", FailureKind.InvalidArgument);
    }
}
