using System.Diagnostics;
using IpvsTools;
using IpvsTools.Ipvs;

/// <summary>
/// ipvs-list: reads the IPVS table of the current network namespace with IpvsClient.GetServices, in
/// rounds (the first warms the JIT and is not printed), each round once per receive length (0 = the
/// plain socket that peeks at every datagram's size), and prints wall, user and kernel time of each.
/// </summary>
internal static class IpvsListBenchmark
{
    public static int Run(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0]) : 3;
        var lengths = (args.Length > 1 ? args[1] : IpvsClient.ReceiveLength.ToString()).Split(',').Select(int.Parse).ToArray();
        for (var round = 0; round <= rounds; round++)
        {
            foreach (var length in lengths)
            {
                using var client = IpvsClient.Open(null, length);
                var before = CpuTimes.Read();
                var watch = Stopwatch.StartNew();
                var services = client.GetServices(includeDestinations: false);
                var servicesOnly = watch.Elapsed;
                services = client.GetServices();
                var wall = watch.Elapsed;
                var after = CpuTimes.Read();
                var destinations = services.Sum(s => s.Destinations.Count);
                if (round > 0)
                    Console.WriteLine($"round {round} receive length {length,5}: {(wall - servicesOnly).TotalSeconds:F2} s wall (service dump alone {servicesOnly.TotalSeconds:F2} s), user {after.User - before.User:F2} s, sys {after.System - before.System:F2} s ({services.Count} services, {destinations} destinations)");
            }
        }
        Console.WriteLine($"peak memory (VmHWM): {CpuTimes.PeakMegabytes():F0} MB");
        return 0;
    }
}
