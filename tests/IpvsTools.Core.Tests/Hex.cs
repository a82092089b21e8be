namespace IpvsTools.Tests;

internal static class Hex
{
    /// <summary>Bytes from hex with any spaces or line breaks in between.</summary>
    public static byte[] Bytes(string hex) => Convert.FromHexString(new string(hex.Where(Uri.IsHexDigit).ToArray()));

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
