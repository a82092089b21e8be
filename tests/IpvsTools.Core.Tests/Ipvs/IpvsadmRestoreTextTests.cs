using System.Net;
using System.Net.Sockets;
using Xunit;
using IpvsTools.Ipvs;

namespace IpvsTools.Tests.Ipvs;

/// <summary>The `ipvsadm -R` reader: ipvsadm's syntax, defaults and checks, every bad line named by number.</summary>
public class IpvsadmRestoreTextTests
{
    private static IpvsConfigOperation One(string line)
    {
        var (operations, errors) = IpvsadmRestoreText.Parse(line);
        Assert.Empty(errors.Select(e => e.ToString()));
        return Assert.Single(operations);
    }

    private static string Error(string line)
    {
        var (operations, errors) = IpvsadmRestoreText.Parse(line);
        Assert.Empty(operations);
        var error = Assert.Single(errors);
        Assert.Equal(1, error.Line);
        return error.Message;
    }

    [Fact]
    public void LinesThatNameTheSameAddressWithAnotherProtocolGetTheirOwnService()
    {
        // The reader reuses the key of the line before when a line names the same service again.
        var (operations, errors) = IpvsadmRestoreText.Parse("""
            -A -t 10.0.0.1:80 -s rr
            -a -t 10.0.0.1:80 -r 10.0.1.1:8080 -m
            -A -u 10.0.0.1:80 -s rr
            -a -u 10.0.0.1:80 -r 10.0.1.1:8080 -m
            -a -t 10.0.0.1:80 -r 10.0.1.2:8080 -m
            -A -t 10.0.0.1:81 -s rr
            -A -t 10.0.0.1 -s rr -p
            -a -t 10.0.0.1 -r 10.0.1.3 -m
            """.Replace("\r\n", "\n"));
        Assert.Empty(errors.Select(e => e.ToString()));
        Assert.Equal(
            ["TCP 10.0.0.1:80", "TCP 10.0.0.1:80", "UDP 10.0.0.1:80", "UDP 10.0.0.1:80", "TCP 10.0.0.1:80", "TCP 10.0.0.1:81", "TCP 10.0.0.1:0", "TCP 10.0.0.1:0"],
            operations.Select(o => o.Service!.DisplayName));
        Assert.Equal(IpvsProtocol.Udp, operations[3].Service!.Protocol);
        Assert.Equal(IpvsProtocol.Tcp, operations[4].Service!.Protocol);
        Assert.Equal((ushort)0, operations[7].DestinationPort);
    }

    [Theory]
    [InlineData("10.0.0.1:80", "10.0.0.1", 80)]
    [InlineData("10.0.0.1", "10.0.0.1", null)]
    [InlineData("0.0.0.0:0", "0.0.0.0", 0)]
    [InlineData("255.255.255.255:65535", "255.255.255.255", 65535)]
    [InlineData("fd00::1", "fd00::1", null)]
    [InlineData("[fd00::1]:80", "fd00::1", 80)]
    [InlineData("::", "::", null)]
    [InlineData("::ffff:10.0.0.1", "::ffff:10.0.0.1", null)]
    public void EndpointsReadAsIpvsadmReadsThem(string text, string address, int? port)
    {
        Assert.True(IpvsTools.Ipvs.IpvsAddressText.TryParseEndpoint(text, out var parsed, out var parsedPort));
        Assert.Equal(IPAddress.Parse(address), parsed);
        Assert.Equal(port, parsedPort);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10.0.0.1:")]
    [InlineData("10.0.0.1:65536")]
    [InlineData("10.0.0.1:+80")]
    [InlineData("10.0.0.256:80")]
    [InlineData("10.0.0:80")]
    [InlineData("10.0.0.1.2:80")]
    [InlineData("10.0.0.1.:80")]
    [InlineData(".10.0.0.1")]
    [InlineData("10..0.1")]
    [InlineData("10.0.0.0001")]
    [InlineData("1:2")]
    [InlineData("10.0.0.1:80:81")]
    [InlineData("[fd00::1]80")]
    [InlineData("fd00::1:99999")]
    [InlineData("a.b.c.d")]
    public void BadEndpointsAreRefused(string text)
    {
        Assert.False(IpvsTools.Ipvs.IpvsAddressText.TryParseEndpoint(text, out _, out _));
    }

    [Fact]
    public void ASaveFileReadsBackToTheSameText()
    {
        const string saved = """
            -A -t 10.96.0.10:53 -s rr
            -a -t 10.96.0.10:53 -r 10.244.0.3:53 -i -w 1 --tun-type ipip
            -a -t 10.96.0.10:53 -r 10.244.0.4:53 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum
            -a -t 10.96.0.10:53 -r 10.244.0.5:53 -i -w 1 --tun-type gue --tun-port 6081 --tun-remcsum
            -a -t 10.96.0.10:53 -r 10.244.0.7:53 -i -w 2 --tun-type gre --tun-csum
            -a -t 10.96.0.10:53 -r 10.244.2.7:5353 -m -w 0
            -A -t 10.96.0.11:443 -s wlc -p 10800 -M 255.255.255.0
            -a -t 10.96.0.11:443 -r 10.0.0.1:443 -g -w 5
            -A -t 10.96.0.20:80 -s sh -b sh-fallback,sh-port
            -A -t 10.96.0.40:0 -s rr -p 100
            -A -u 10.96.0.30:9000 -s rr -p 360 -o
            -A -u 10.96.0.31:5060 -s rr -p 30 --pe sip
            -A -u 10.96.0.32:5060 -s rr --pe sip
            -A --sctp-service 10.96.50.3:3868 -s rr
            -A -t [fd00:10:96::a]:53 -s rr -p 60 -M 64
            -a -t [fd00:10:96::a]:53 -r [fd00:10:244::5]:53 -m -w 1
            -A -f 5 -s rr -o
            -a -f 5 -r 10.0.0.9:0 -i -w 2 --tun-type ipip
            -A -f 6 -6 -s rr -p 20 -M 64
            -a -f 6 -6 -r [fd00::9]:80 -g -w 1
            -A -f -2147483648 -s rr

            """;
        var operations = IpvsadmRestoreText.ParseOrThrow(saved.Replace("\r\n", "\n"), "test");
        // Rebuild the table the lines describe and save it again.
        var services = new List<IpvsService>();
        foreach (var op in operations)
        {
            if (op.Command == IpvsConfigCommand.AddService)
            {
                var s = op.ServiceSettings!;
                services.Add(new IpvsService(s.Key, s.Scheduler, s.Flags, s.PersistenceTimeout, s.Netmask, s.PersistenceEngine, [], IpvsStatistics.Zero, IpvsRates.Zero));
                continue;
            }
            Assert.Equal(IpvsConfigCommand.AddDestination, op.Command);
            var d = op.Destination!;
            var index = services.FindIndex(x => x.Key == op.Service);
            var tunnel = d.ForwardingMethod == IpvsForwardingMethod.Tunnel;
            var destination = new IpvsDestination(op.Service!, d.AddressFamily, d.Address, d.Port, d.ForwardingMethod, d.Weight, d.UpperThreshold, d.LowerThreshold, 0, 0, 0,
                tunnel ? d.TunnelType : null, tunnel && d.TunnelType == IpvsTunnelType.Gue ? d.TunnelPort : null,
                tunnel && d.TunnelType != IpvsTunnelType.Ipip ? d.TunnelChecksum switch { IpvsTunnelChecksum.Checksum => "csum", IpvsTunnelChecksum.RemoteChecksum => "remcsum", _ => "nocsum" } : null,
                IpvsStatistics.Zero, IpvsRates.Zero);
            var old = services[index];
            services[index] = new IpvsService(old.Key, old.Scheduler, old.RawFlags, old.PersistenceTimeout, old.Netmask, old.PersistenceEngine,
                [.. old.Destinations, destination], IpvsStatistics.Zero, IpvsRates.Zero);
        }
        Assert.Equal(saved.Replace("\r\n", "\n").Replace("-A -f -2147483648 -s rr\n", ""),
            IpvsadmSaveText.Format(services.Where(s => s.FirewallMark != 0x80000000)));
        Assert.Equal(0x80000000u, operations[^1].Service!.FirewallMark);
    }

    [Fact]
    public void IpvsadmsDefaultsApply()
    {
        var service = One("-A -t 10.0.0.1:80").ServiceSettings!;
        Assert.Equal(("wlc", 0u, "255.255.255.255"), (service.Scheduler, service.Flags, service.Netmask));
        var persistent = One("-A -t 10.0.0.1 -p").ServiceSettings!;
        Assert.Equal((0, 360u, 1u), ((int)persistent.Key.Port, persistent.PersistenceTimeout, persistent.Flags));
        var v6 = One("-A -t [fd00::1]:80 -s rr -p 5").ServiceSettings!;
        Assert.Equal("128", v6.Netmask);

        var route = One("-a -t 10.0.0.1:80 -r 10.0.0.2").Destination!;
        Assert.Equal((IpvsForwardingMethod.Route, (ushort)80, 1), (route.ForwardingMethod, route.Port, route.Weight));
        // Direct routing and tunnelling keep the service's port, whatever the line says; masquerading does not.
        Assert.Equal((ushort)80, One("-a -t 10.0.0.1:80 -r 10.0.0.2:8080 -g").Destination!.Port);
        Assert.Equal((ushort)80, One("-a -t 10.0.0.1:80 -r 10.0.0.2:8080 -i").Destination!.Port);
        Assert.Equal((ushort)8080, One("-a -t 10.0.0.1:80 -r 10.0.0.2:8080 -m").Destination!.Port);
        Assert.Equal((ushort)8080, One("-a -f 3 -r 10.0.0.2:8080 -g").Destination!.Port);
        var bare6 = One("-a -t 10.0.0.1:80 -r fd00::2 -i --tun-type gre").Destination!;
        Assert.Equal((AddressFamily.InterNetworkV6, (ushort)80, IpvsTunnelType.Gre), (bare6.AddressFamily, bare6.Port, bare6.TunnelType));
    }

    [Fact]
    public void TheSyntaxIpvsadmTakes()
    {
        // "ipvsadm" words are dropped; tabs and CR separate; short options cluster and take attached values; long options take =value.
        var op = One("ipvsadm\t-At 10.0.0.1:80 -srr -p30\r");
        Assert.Equal((IpvsConfigCommand.AddService, "rr", 30u), (op.Command, op.ServiceSettings!.Scheduler, op.ServiceSettings.PersistenceTimeout));
        Assert.Equal(7, One("--add-server --tcp-service=10.0.0.1:80 --real-server 10.0.0.2 --masquerading --weight=7").Destination!.Weight);
        Assert.Equal(IpvsConfigCommand.Clear, One("-C").Command);
        Assert.Null(One("-Z").Service);
        Assert.Equal("UDP 10.0.0.1:53", One("-Z -u 10.0.0.1:53").Service!.DisplayName);
        var timeouts = One("--set 900 0 300").Timeouts!;
        Assert.Equal((900u, 0u, 300u), (timeouts.Tcp, timeouts.TcpFin, timeouts.Udp));
        var daemon = One("--start-daemon backup --mcast-interface eth1 --syncid 6 --mcast-group 239.1.1.1 --mcast-port 9000 --mcast-ttl 3 --sync-maxlen 1200").Daemon!;
        Assert.Equal((IpvsSyncState.Backup, "eth1", 6u, (ushort)1200, "239.1.1.1", (ushort)9000, (byte)3),
            (daemon.State, daemon.Interface, daemon.SyncId, daemon.MaxLength, daemon.MulticastGroup!.ToString(), daemon.MulticastPort, daemon.MulticastTtl));
        Assert.Equal("eth0", One("--start-daemon master").Daemon!.Interface);
        Assert.Equal(IpvsSyncState.Master, One("--stop-daemon master").DaemonState);
        Assert.Equal(("TCP 10.0.0.1:80 -> 10.0.0.2:80", "Remove real server"), (One("-d -t 10.0.0.1:80 -r 10.0.0.2").Target, One("-d -t 10.0.0.1:80 -r 10.0.0.2").Description));
        var (operations, errors) = IpvsadmRestoreText.Parse("\n   \n# a comment\n-C\n");
        Assert.Empty(errors);
        Assert.Equal(4, Assert.Single(operations).Line);
    }

    [Theory]
    [InlineData("-A", "You need to supply the 'service-address' option for the 'add-service' command")]
    [InlineData("-t 10.0.0.1:80", "no command")]
    [InlineData("-A -D -t 10.0.0.1:80", "multiple commands specified")]
    [InlineData("-A -t 10.0.0.1:80 -t 10.0.0.2:80", "multiple 'service-address' options specified")]
    [InlineData("-A -t 10.0.0.1:80 -w 3", "Illegal 'weight' option with the 'add-service' command")]
    [InlineData("-A -t 10.0.0.1:80 -n", "Illegal 'numeric' option with the 'add-service' command")]
    [InlineData("-L -n", "does not belong in a restore file")]
    [InlineData("-A -t 10.0.0.1:80 # comment", "unexpected argument #")]
    [InlineData("-A -t 10.0.0.1:80 --bogus", "invalid option `--bogus'")]
    [InlineData("-A -t 10.0.0.1:80 -q", "invalid option `-q'")]
    [InlineData("-A -t 10.0.0.1:80 -s", "option -s needs a value")]
    [InlineData("-A -t 10.0.0.1", "Zero port specified for non-persistent service")]
    [InlineData("-A -t 10.0.0.1:80 -o", "One-Packet Scheduling is only for UDP virtual services")]
    [InlineData("-A -t 10.0.0.1:80 -p 0", "illegal timeout value `0'")]
    [InlineData("-A -t 10.0.0.1:80 -p 2678401", "illegal timeout value")]
    [InlineData("-A -t 10.0.0.1:80 -p 30 -M 255.255.0", "illegal virtual server persistent mask specified")]
    [InlineData("-A -t [fd00::1]:80 -p 30 -M 129", "illegal ipv6 netmask specified")]
    [InlineData("-A -t 10.0.0.1:80 -s rr -b sh-port", "belongs to the sh scheduler")]
    [InlineData("-A -t 10.0.0.1:80 -s sh -b sh-ports", "is not a scheduler flag")]
    [InlineData("-A -t 10.0.0.1:80 -s a-very-long-scheduler", "longer than the kernel's 15 characters")]
    [InlineData("-A -t 10.0.0.1:99999", "illegal virtual server address[:port] specified")]
    [InlineData("-A -t [fd00::1] -p", "illegal virtual server address[:port] specified")]
    [InlineData("-A -t www.example.com:80", "illegal virtual server address[:port] specified")]
    [InlineData("-A -f 0", "invalid fwmark value `0' specified")]
    [InlineData("-A -6 -f 5", "-6 used before -f")]
    [InlineData("-a -t 10.0.0.1:80 -r [fd00::2]", "illegal real server address[:port] specified")]
    [InlineData("-a -t 10.0.0.1:80 -r fd00::2 -m", "Different address family is allowed only for tunneling servers")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -m --tun-type gue", "Tunnel options conflict with forward method")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue", "You need to supply the 'tun-port' option for the 'gue' tunnel type")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-port 5", "Illegal 'tun-port' option with the 'ipip' tunnel type")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gre --tun-port 5", "Illegal 'tun-port' option with the 'gre' tunnel type")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue --tun-port 5 --tun-csum --tun-nocsum", "conflicts with")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type vxlan", "illegal tunnel type `vxlan'")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -w -1", "illegal weight `-1'")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -x 5 -y 10", "lower threshold (10) is above the upper threshold (5)")]
    [InlineData("-a -t 10.0.0.1:80", "You need to supply the 'real-server' option for the 'add-server' command")]
    [InlineData("-d -t 10.0.0.1:80 -r 10.0.0.2 -w 1", "Illegal 'weight' option with the 'delete-server' command")]
    [InlineData("--set 900 120", "--set option requires 3 timeout values")]
    [InlineData("--set 900 120 x", "illegal timeout value `x'")]
    [InlineData("--start-daemon primary", "illegal start-daemon parameter")]
    [InlineData("--start-daemon master --mcast-group 10.0.0.1", "is not a multicast group address")]
    [InlineData("--stop-daemon master --mcast-interface eth0", "Illegal 'mcast-interface' option with the 'stop-daemon' command")]
    public void BadLinesAreRefusedWithIpvsadmsWords(string line, string words) => Assert.Contains(words, Error(line));

    [Fact]
    public void EveryBadLineIsNamedByNumberAndNothingIsReturnedToApply()
    {
        var text = "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.2 -w x\n\n-C\n-A -t 10.0.0.3\n";
        var error = Assert.Throws<IpvsConfigException>(() => IpvsadmRestoreText.ParseOrThrow(text, "/tmp/rules"));
        Assert.Equal([2, 5], error.Errors.Select(e => e.Line));
        Assert.StartsWith("/tmp/rules: line 2: illegal weight `x'", error.Message);
        Assert.Contains("(and 1 more bad line)", error.Message);
        Assert.EndsWith("Nothing was applied.", error.Message);
        Assert.Equal(FailureKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void ThePlanFindsLinesThatCannotMeetTheTable()
    {
        var dns = IpvsServiceKey.ForAddress(IpvsProtocol.Udp, IPAddress.Parse("10.96.0.10"), 53);
        var table = new[]
        {
            new IpvsService(dns, "rr", 0, 0, "255.255.255.255", null,
                [new IpvsDestination(dns, AddressFamily.InterNetwork, IPAddress.Parse("10.244.1.5"), 53, IpvsForwardingMethod.Masquerade, 1, 0, 0, 0, 0, 0, null, null, null, IpvsStatistics.Zero, IpvsRates.Zero)],
                IpvsStatistics.Zero, IpvsRates.Zero),
        };
        var text = """
            -A -u 10.96.0.10:53 -s rr
            -a -u 10.96.0.10:53 -r 10.244.1.5:53 -m
            -a -u 10.96.0.10:53 -r 10.244.1.6:53 -m
            -a -u 10.96.0.10:53 -r 10.244.1.6:53 -m
            -d -u 10.96.0.10:53 -r 10.244.1.7:53
            -A -t 10.96.0.11:80 -s fastest
            -a -t 10.96.0.11:80 -r 10.244.1.5 -m
            -D -u 10.96.0.10:53
            -e -u 10.96.0.10:53 -r 10.244.1.5:53 -m
            -C
            -A -u 10.96.0.10:53 -s wrr
            -a -u 10.96.0.10:53 -r 10.244.1.5:53 -m
            -Z -t 10.0.0.1:1
            """;
        var operations = IpvsadmRestoreText.ParseOrThrow(text.Replace("\r\n", "\n"), "test");
        var errors = IpvsConfigPlan.Check(operations, table, IpvsSchedulers.KernelSchedulers.Contains);
        Assert.Equal([1, 2, 4, 5, 6, 7, 9, 13], errors.Select(e => e.Line));
        Assert.Contains("already exists", errors[0].Message);
        Assert.Contains("already has real server 10.244.1.5:53", errors[1].Message);
        Assert.Contains("has no real server 10.244.1.7:53", errors[3].Message);
        Assert.Contains("'fastest' is not an IPVS scheduler", errors[4].Message);
        Assert.Contains("there is no IPVS service TCP 10.96.0.11:80", errors[5].Message);
    }
}
