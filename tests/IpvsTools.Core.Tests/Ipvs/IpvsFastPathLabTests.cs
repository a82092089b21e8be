using System.Globalization;
using System.Text;
using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Tests.Ipvs;

/// <summary>
/// The fast paths against the plain ones in the lab kernel: the bounded socket (no peeking, many datagrams
/// per recvmmsg) lists exactly what the peeking socket lists, and a batch of changes sent hundreds per
/// sendmsg makes what ipvsadm -R makes, with each refused line named and nothing sent after it.
/// </summary>
[Trait("Tier", "Lab")]
public class IpvsFastPathLabTests
{
    public IpvsFastPathLabTests() => Lab.RequireIpvs();

    /// <summary>
    /// A varied table: IPv4, IPv6 and fwmark services, every scheduler flag form, persistence with netmasks
    /// and an engine, one-packet, masquerade, route and tunnel (ipip, gue, gre, checksums) real servers of
    /// both families, thresholds, weights; then 400 more services (a service dump of many datagrams) and one
    /// service with 120 real servers (a destination dump longer than one datagram).
    /// </summary>
    private static string VariedTable()
    {
        var text = new StringBuilder("""
            -A -t 10.96.0.10:53 -s wlc
            -a -t 10.96.0.10:53 -r 10.244.1.5:53 -m -w 3
            -a -t 10.96.0.10:53 -r 10.244.1.6:5353 -m -w 0 -x 10 -y 5
            -a -t 10.96.0.10:53 -r 10.244.1.7:9999 -g
            -a -t 10.96.0.10:53 -r 10.244.1.8:53 -i --tun-type gue --tun-port 6080 --tun-remcsum
            -a -t 10.96.0.10:53 -r [fd00::8]:53 -i --tun-type gre --tun-csum
            -a -t 10.96.0.10:53 -r 10.244.1.9:53 -i
            -A -u 10.96.0.11:5060 -s sh -b sh-port -o -p 30 --pe sip -M 255.255.255.0
            -a -u 10.96.0.11:5060 -r 10.244.2.1:5060 -m -w 7 -x 1000 -y 100
            -A -t 10.96.0.12:443 -s lc -p 360
            -A --sctp-service 10.96.50.3:3868 -s rr
            -a --sctp-service 10.96.50.3:3868 -r 10.244.3.1:3868 -m
            -A -f 5 -s rr -o
            -a -f 5 -r 10.0.0.9:0 -i -w 2
            -A -f 6 -6 -s mh -b mh-port,mh-fallback -p 20 -M 64
            -a -f 6 -6 -r [fd00::9]:80 -g
            -A -t [fd00:10:96::a]:53 -s rr -p 60 -M 96
            -a -t [fd00:10:96::a]:53 -r [fd00:10:244::5]:53 -m
            -a -t [fd00:10:96::a]:53 -r 10.244.4.4:53 -i --tun-type ipip

            """);
        for (var i = 0; i < 400; i++)
        {
            var vip = $"10.97.{i / 250}.{i % 250 + 1}:80";
            text.Append($"-A -t {vip} -s rr\n");
            for (var j = 0; j < i % 4; j++) text.Append($"-a -t {vip} -r 10.{130 + j}.{i / 250}.{i % 250 + 1}:8080 -m -w {j + 1}\n");
        }
        text.Append("-A -t 10.98.0.1:80 -s wrr\n");
        for (var j = 0; j < 120; j++) text.Append($"-a -t 10.98.0.1:80 -r 10.140.0.{j + 1}:{8000 + j} -m -w {j % 5} -x {j * 10} -y {j * 5}\n");
        return text.ToString();
    }

    [Fact]
    public void TheBoundedSocketListsExactlyWhatThePeekingSocketLists()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, VariedTable());
        // No traffic: rates the kernel estimates every 2 s would differ between two reads.
        var target = NetworkNamespace.Resolve(ns.Name);
        using var plain = IpvsClient.Open(target, 0);
        using var fast = IpvsClient.Open(target);
        Assert.Equal(0, plain.BoundedReceiveLength);
        Assert.True(fast.BoundedReceiveLength > 0);

        var expected = Describe(plain.GetServices());
        var actual = Describe(fast.GetServices());
        Assert.Equal(expected, actual);
        Assert.Contains("Address=fd00::8", actual);
        Assert.Contains("TunnelType=Gue", actual);
        Assert.Contains("PersistenceEngine=sip", actual);
        Assert.Equal(120, fast.GetServices().Single(s => s.Port == 80 && s.Address?.ToString() == "10.98.0.1").Destinations.Count);
        Assert.Equal(ns.Exec("ipvsadm", "-Sn"), IpvsadmSaveText.Format(fast.GetServices()));
    }

    [Fact]
    public void ABatchMakesWhatIpvsadmRestoreMakes()
    {
        using var ours = new TestNamespace();
        using var theirs = new TestNamespace();
        var table = VariedTable();
        Lab.IpvsadmRestore(theirs, table);
        var operations = IpvsadmRestoreText.ParseOrThrow(table, "varied");
        using var client = IpvsClient.Open(NetworkNamespace.Resolve(ours.Name));
        var result = client.ApplyAll(operations);
        Assert.Empty(result.Failures);
        Assert.Equal(operations.Count, result.Sent);
        Assert.Equal(operations.Count, result.Applied);
        Assert.True(operations.Count > IpvsClient.MaxChangesInFlight, "the batch must be longer than the in-flight bound");
        Assert.Equal(theirs.Exec("ipvsadm", "-Sn"), ours.Exec("ipvsadm", "-Sn"));
        Assert.Equal(theirs.Exec("ipvsadm", "-Ln", "--thresholds"), ours.Exec("ipvsadm", "-Ln", "--thresholds"));
    }

    [Fact]
    public void ARefusedLineIsNamedAndNothingIsSentAfterItsDatagram()
    {
        using var ns = new TestNamespace();
        var text = new StringBuilder("-A -t 10.96.0.1:80 -s rr\n-a -t 10.96.0.1:80 -r 10.244.0.1:80 -m\n-a -t 10.96.0.1:80 -r 10.244.0.2:80 -m\n");
        // The kernel refuses a multicast real server (EINVAL) although the line is well-formed and fits the table.
        text.Append("-a -t 10.96.0.1:80 -r 224.0.0.9:80 -m\n");
        text.Append("-a -t 10.96.0.1:80 -r 10.244.0.3:80 -m\n");
        for (var i = 0; i < 3000; i++) text.Append($"-A -t 10.97.{i / 250}.{i % 250 + 1}:80 -s rr\n");
        var operations = IpvsadmRestoreText.ParseOrThrow(text.ToString(), "refused");
        using var client = IpvsClient.Open(NetworkNamespace.Resolve(ns.Name));
        Assert.Empty(IpvsConfigPlan.Check(operations, client.GetServices(), IpvsSchedulers.IsKnown));

        var result = client.ApplyAll(operations);
        var failure = Assert.Single(result.Failures);
        Assert.Equal(3, failure.Index);
        Assert.Equal(4, failure.Operation.Line);
        Assert.Equal(FailureKind.InvalidArgument, failure.Error.Kind);
        Assert.Contains("Adding real server 224.0.0.9:80 to IPVS service TCP 10.96.0.1:80", failure.Error.Message);
        Assert.Contains($"in network namespace '{ns.Name}'", failure.Error.Message);
        // Lines sent with it are still applied (the kernel handles each message of a datagram on its own);
        // at most the in-flight bound was sent, and nothing after.
        Assert.InRange(result.Sent, 5, IpvsClient.MaxChangesInFlight);
        Assert.Equal(result.Sent - 1, result.Applied);
        var saved = ns.Exec("ipvsadm", "-Sn").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(result.Applied, saved.Length);
        Assert.Contains("-a -t 10.96.0.1:80 -r 10.244.0.3:80 -m -w 1", saved);
        Assert.DoesNotContain(saved, l => l.Contains("224.0.0.9"));
        var lastSent = operations[result.Sent - 1].Service!;
        Assert.Contains(saved, l => l.StartsWith("-A -t " + lastSent.Address + ":80 ", StringComparison.Ordinal));
        var firstNotSent = operations[result.Sent].Service!;
        Assert.DoesNotContain(saved, l => l.StartsWith("-A -t " + firstNotSent.Address + ":80 ", StringComparison.Ordinal));
    }

    /// <summary>Every public property of every service and real server, statistics and rates included, one line each.</summary>
    private static string Describe(IReadOnlyList<IpvsService> services)
    {
        var text = new StringBuilder();
        foreach (var service in services)
        {
            text.Append(Properties(service)).Append('\n');
            foreach (var destination in service.Destinations) text.Append("  ").Append(Properties(destination)).Append('\n');
        }
        return text.ToString();
    }

    private static string Properties(object item)
        => string.Join(" ", item.GetType().GetProperties()
            .Where(p => p.Name != nameof(IpvsService.Destinations))
            .Select(p => p.Name + "=" + Format(p.GetValue(item))));

    private static string Format(object? value) => value switch
    {
        null => "null",
        string[] names => "[" + string.Join(",", names) + "]",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
