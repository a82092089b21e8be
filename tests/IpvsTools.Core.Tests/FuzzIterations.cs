using System.Globalization;

namespace IpvsTools.Tests;

/// <summary>
/// How many inputs a fixed-seed fuzz test feeds its parser: the test's own count, multiplied by
/// IPVSTOOLS_FUZZ_ITERATIONS when that is set (a positive whole number). The seeds stay fixed, so a
/// longer run replays the short run's inputs first and then goes on: `tests/fuzz.sh 50`.
/// </summary>
internal static class FuzzIterations
{
    public const string Variable = "IPVSTOOLS_FUZZ_ITERATIONS";

    public static int Scaled(int iterations)
    {
        var text = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(text)) return iterations;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var multiplier) || multiplier < 1)
            throw new InvalidOperationException($"{Variable}='{text}' is not a positive whole number (the multiplier of each fuzz test's iterations).");
        return checked(iterations * multiplier);
    }
}
