namespace IpvsTools.Testing;

/// <summary>Preconditions of the lab tiers: they fail with the reason when run elsewhere, never skip.</summary>
public static class Lab
{
    /// <summary>For tests of Tier=Lab: inside the lab (tests/lab/lab.sh), with ip_vs loaded.</summary>
    public static void RequireIpvs()
    {
        RequireLab();
        if (!Directory.Exists("/sys/module/ip_vs"))
            throw new InvalidOperationException("The lab kernel has no ip_vs loaded: lab.sh loads it by default (do not pass --no-default-modules for Tier=Lab).");
    }

    /// <summary>For tests of Tier=LabNoIpvs: inside a lab booted with --no-default-modules, ip_vs not loaded.</summary>
    public static void RequireNoIpvs()
    {
        RequireLab();
        if (Directory.Exists("/sys/module/ip_vs"))
            throw new InvalidOperationException("ip_vs is loaded: Tier=LabNoIpvs tests need a lab booted with --no-default-modules (bash tests/run.sh lab does that).");
    }

    private static void RequireLab()
    {
        TestNamespace.RequireRoot();
        if (Environment.GetEnvironmentVariable("IPVSTOOLS_LAB") != "1")
            throw new InvalidOperationException("Lab-tier tests run inside the kernel lab (IPVSTOOLS_LAB=1): run them with `bash tests/run.sh lab`.");
    }

    /// <summary>Feeds `ipvsadm -R` in the namespace.</summary>
    public static void IpvsadmRestore(TestNamespace ns, string rules)
    {
        // ipvsadm -R reports the kernel's refusals on standard error and still exits 0: both count.
        var result = TryIpvsadmRestore(ns, rules);
        if (result.ExitCode != 0 || result.Error.Length > 0)
            throw new InvalidOperationException($"ipvsadm -R exited {result.ExitCode}: {result.Error}");
    }

    /// <summary>Feeds `ipvsadm -R` in the namespace and returns its exit code and output, whatever they are.</summary>
    public static Tool.Result TryIpvsadmRestore(TestNamespace ns, string rules)
        => Tool.TryRunWithInput(rules, ["ip", "netns", "exec", ns.Name, "ipvsadm", "-R"]);

    /// <summary>
    /// A node's dataplane in miniature inside the namespace: kube-ipvs0 (dummy, left down) holding the
    /// ClusterIP 10.96.0.10/32, fd00::10/128 on lo, and a veth pair va/vb up with 10.244.0.1/24 and
    /// fd00:244::1/64 on va, so that IPVS has routes to real servers at 10.244.0.x and fd00:244::x.
    /// </summary>
    public static void Dataplane(TestNamespace ns)
    {
        ns.Exec("ip", "link", "add", "kube-ipvs0", "type", "dummy");
        ns.Exec("ip", "addr", "add", "10.96.0.10/32", "dev", "kube-ipvs0");
        ns.Exec("ip", "-6", "addr", "add", "fd00::10/128", "dev", "lo");
        ns.Exec("ip", "link", "add", "va", "type", "veth", "peer", "name", "vb");
        ns.Exec("ip", "addr", "add", "10.244.0.1/24", "dev", "va");
        ns.Exec("ip", "-6", "addr", "add", "fd00:244::1/64", "dev", "va", "nodad");
        ns.Exec("ip", "link", "set", "va", "up");
        ns.Exec("ip", "link", "set", "vb", "up");
    }

    /// <summary>
    /// Waits for kernel state that settles on its own (counters the kernel folds in every 2 s); fails
    /// naming <paramref name="what"/> after 30 s. A correctness wait, not a speed target.
    /// </summary>
    public static void WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited 30 s for: {what}.");
            Thread.Sleep(200);
        }
    }

    /// <summary>Sends one UDP datagram to ADDRESS:PORT from inside the namespace (bash's /dev/udp).</summary>
    public static void SendUdp(TestNamespace ns, string address, int port)
        => ns.Exec("bash", "-c", "echo x > /dev/udp/$0/$1", address, port.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A service per family with one real server each, and a packet to each (UDP) plus a TCP attempt to a persistent one.</summary>
    public static void MakeConnections(TestNamespace ns)
    {
        Dataplane(ns);
        IpvsadmRestore(ns, """
            -A -u 10.96.0.10:53 -s rr
            -a -u 10.96.0.10:53 -r 10.244.0.2:53 -m
            -A -t 10.96.0.10:80 -s rr -p 60
            -a -t 10.96.0.10:80 -r 10.244.0.3:8080 -m
            -A -u [fd00::10]:53 -s rr
            -a -u [fd00::10]:53 -r [fd00:244::2]:53 -m
            -A -f 5 -s rr
            -a -f 5 -r 10.244.0.2:53 -m

            """);
        SendUdp(ns, "10.96.0.10", 53);
        SendUdp(ns, "fd00::10", 53);
        ns.TryExec("timeout", "2", "bash", "-c", "echo > /dev/tcp/10.96.0.10/80");
    }

    /// <summary>`ipvsadm -Lnc` entries without the expiry column (time passes between two reads).</summary>
    public static string[] IpvsadmConnections(TestNamespace ns)
        => ns.Exec("ipvsadm", "-Lnc").Split('\n').Skip(2).Where(l => l.Length > 0).Select(WithoutExpiry).Order(StringComparer.Ordinal).ToArray();

    public static string WithoutExpiry(string line) => line.TrimEnd().Remove(4, 5);

    /// <summary>A table with every kind of service Get-IpvsService must show as ipvsadm does.</summary>
    public const string SampleTable = """
        -A -t 10.96.0.10:53 -s rr
        -a -t 10.96.0.10:53 -r 10.244.1.5:53 -m -w 1
        -a -t 10.96.0.10:53 -r 10.244.2.7:53 -m -w 1
        -A -u 10.96.0.10:53 -s rr
        -a -u 10.96.0.10:53 -r 10.244.1.5:53 -m -w 1
        -A --sctp-service 10.96.50.3:3868 -s rr
        -A -t 192.168.10.1:443 -s wrr -p 10800 -M 255.255.255.0
        -a -t 192.168.10.1:443 -r 10.0.0.1:443 -g -w 5 -x 100 -y 10
        -A -t 10.96.0.20:80 -s sh -b sh-fallback,sh-port
        -a -t 10.96.0.20:80 -r 10.244.3.3:8080 -m -w 0
        -A -t 10.96.0.21:80 -s mh -b mh-port
        -A -u 10.96.0.30:9000 -s rr -o
        -A -f 5 -s rr
        -a -f 5 -r 10.0.0.9:0 -i -w 2
        -A -f 6 -6 -s rr
        -A -t [fd00:10:96::a]:53 -s rr -p 60 -M 64
        -a -t [fd00:10:96::a]:53 -r [fd00:10:244::5]:53 -m
        -A -t 10.96.0.40:80 -s rr
        -a -t 10.96.0.40:80 -r 10.0.0.50:80 -i --tun-type gue --tun-port 6080 --tun-nocsum
        -A -t 0.0.0.1:80 -s rr
        -A -t 96.0.0.1:80 -s rr
        -A -t 192.0.0.1:80 -s rr

        """;
}
