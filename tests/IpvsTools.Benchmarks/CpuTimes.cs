using System.Globalization;

/// <summary>The process's user and kernel CPU seconds (/proc/self/stat) and its peak resident memory (VmHWM).</summary>
internal readonly record struct CpuTimes(double User, double System)
{
    public static CpuTimes Read()
    {
        // Fields after the command name (which may hold spaces) start at state; utime and stime are fields 14 and 15.
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = 100.0; // USER_HZ is 100 on every Linux architecture .NET runs on
        return new CpuTimes(long.Parse(fields[11], CultureInfo.InvariantCulture) / ticks, long.Parse(fields[12], CultureInfo.InvariantCulture) / ticks);
    }

    public static double PeakMegabytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        }
        return double.NaN;
    }
}
