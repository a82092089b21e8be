using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Tests.Ipvs;

/// <summary>
/// The restore reader against ipvsadm itself in the lab: a file applied through the client makes the
/// same table as `ipvsadm -R` of the same file, and lines the reader refuses, ipvsadm refuses too.
/// </summary>
[Trait("Tier", "Lab")]
public class IpvsRestoreLabTests : IClassFixture<TestNamespace>
{
    /// <summary>
    /// One namespace for all the refused lines, cleared before each (creating and removing a namespace with
    /// IPVS in it takes seconds in the lab, and there are 29 lines).
    /// </summary>
    private readonly TestNamespace _refusals;

    public IpvsRestoreLabTests(TestNamespace refusals)
    {
        Lab.RequireIpvs();
        _refusals = refusals;
    }

    /// <summary>Everything ipvsadm -R takes, in forms -S never writes: defaults, -E and -e, deletes, clusters, long options.</summary>
    private const string Rules = """
        -A -t 10.96.0.10:53
        -a -t 10.96.0.10:53 -r 10.244.1.5
        -a -t 10.96.0.10:53 -r 10.244.1.6:5353 -m -w 0 -x 10 -y 5
        -a -t 10.96.0.10:53 -r 10.244.1.7:9999 -g
        -a -t 10.96.0.10:53 -r 10.244.1.8 -i --tun-type gue --tun-port 6080 --tun-remcsum
        -a -t 10.96.0.10:53 -r fd00::8 -i --tun-type gre --tun-csum
        -e -t 10.96.0.10:53 -r 10.244.1.5 -m -w 3
        -d -t 10.96.0.10:53 -r 10.244.1.7:53
        ipvsadm -Au 10.96.0.10:53 -srr
        --add-server --udp-service=10.96.0.10:53 --real-server 10.244.1.5 --masquerading --weight=2
        -A -u 10.96.0.11:5060 -s sh -b sh-port -o -p 30 --pe sip -M 255.255.255.0
        -A -t 10.96.0.12:443 -s wrr -p
        -E -t 10.96.0.12:443 -s lc
        -A -t 10.96.0.13 -s rr -p 100
        -A --sctp-service 10.96.50.3:3868 -s rr
        -A -f 5 -s rr -o
        -a -f 5 -r 10.0.0.9 -i -w 2
        -A -f 6 -6 -s mh -b mh-port,mh-fallback -p 20 -M 64
        -a -f 6 -6 -r [fd00::9]:80 -g
        -A -t [fd00:10:96::a]:53 -s rr -p 60 -M 96
        -a -t [fd00:10:96::a]:53 -r fd00:10:244::5 -m
        -A -t 10.96.0.99:80 -s rr
        -D -t 10.96.0.99:80
        -Z
        -Z -t 10.96.0.10:53
        --set 800 0 200

        """;

    [Fact]
    public void AFileMakesTheSameTableAsIpvsadmRestore()
    {
        using var ours = new TestNamespace();
        using var theirs = new TestNamespace();
        Lab.IpvsadmRestore(theirs, Rules);
        var operations = IpvsadmRestoreText.ParseOrThrow(Rules.Replace("\r\n", "\n"), "rules");
        using var client = IpvsClient.Open(NetworkNamespace.Resolve(ours.Name));
        Assert.Empty(IpvsConfigPlan.Check(operations, client.GetServices(), IpvsSchedulers.IsKnown));
        foreach (var operation in operations) client.Apply(operation);
        Assert.Equal(theirs.Exec("ipvsadm", "-Sn"), ours.Exec("ipvsadm", "-Sn"));
        Assert.Equal(theirs.Exec("ipvsadm", "-Ln", "--thresholds"), ours.Exec("ipvsadm", "-Ln", "--thresholds"));
        Assert.Equal(theirs.Exec("ipvsadm", "-L", "--timeout"), ours.Exec("ipvsadm", "-L", "--timeout"));
        Assert.Equal(ours.Exec("ipvsadm", "-Sn"), IpvsadmSaveText.Format(client.GetServices()));
    }

    [Theory]
    [InlineData("-A")]
    [InlineData("-t 10.0.0.1:80")]
    [InlineData("-A -D -t 10.0.0.1:80")]
    [InlineData("-A -t 10.0.0.1:80 -t 10.0.0.2:80")]
    [InlineData("-A -t 10.0.0.1:80 -w 3")]
    [InlineData("-A -t 10.0.0.1:80 # comment")]
    [InlineData("-A -t 10.0.0.1:80 --bogus")]
    [InlineData("-A -t 10.0.0.1")]
    [InlineData("-A -t 10.0.0.1:80 -o")]
    [InlineData("-A -t 10.0.0.1:80 -p 0")]
    [InlineData("-A -t 10.0.0.1:80 -s rr -b sh-port")]
    [InlineData("-A -t 10.0.0.1:80 -s sh -b sh-ports")]
    [InlineData("-A -t 10.0.0.1:99999")]
    [InlineData("-A -t [fd00::1] -p")]
    [InlineData("-A -f 0")]
    [InlineData("-A -6 -f 5")]
    [InlineData("-a -t 10.0.0.1:80 -r [fd00::2]")]
    [InlineData("-a -t 10.0.0.1:80 -r fd00::2 -m")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -m --tun-type gue")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-port 5")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue --tun-port 5 --tun-csum --tun-nocsum")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type vxlan")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -w -1")]
    [InlineData("-a -t 10.0.0.1:80")]
    [InlineData("-d -t 10.0.0.1:80 -r 10.0.0.2 -w 1")]
    [InlineData("--set 900 120")]
    [InlineData("--start-daemon primary")]
    [InlineData("--stop-daemon master --mcast-interface eth0")]
    public void LinesTheReaderRefusesIpvsadmRefuses(string line)
    {
        var ns = _refusals;
        ns.Exec("ipvsadm", "-C");
        Assert.Equal("", ns.Exec("ipvsadm", "-Sn"));
        var (operations, errors) = IpvsadmRestoreText.Parse(line);
        Assert.Empty(operations);
        Assert.Single(errors);
        // ipvsadm -R of "-A <first service>" then the line: it fails on the line (exit code or message), and only the first line took.
        var result = Lab.TryIpvsadmRestore(ns, "-A -t 10.9.9.9:80 -s rr\n" + line + "\n");
        Assert.True(result.ExitCode != 0 || result.Error.Trim().Length > 0, $"ipvsadm -R took `{line}`: exit {result.ExitCode}, {result.Error}");
        Assert.Equal("-A -t 10.9.9.9:80 -s rr\n", ns.Exec("ipvsadm", "-Sn"));
    }
}
