using IpvsTools.Testing;

namespace IpvsTools.ModuleTests.Refusals;

/// <summary>
/// A namespace with something of everything the cmdlets touch: IPVS services with real servers,
/// ipsets X (one member) and Y, kube-proxy's sets and iptables rules, kube-ipvs0; plus files every
/// user can read: a cluster snapshot ($snapshot), an ipvsadm -R file ($rules) and one with a bad line ($badRules).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class RefusalNode : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ipvstools-refusal-").FullName;

    public RefusalNode()
    {
        Namespace = new TestNamespace();
        try
        {
            Lab.Dataplane(Namespace);
            Lab.IpvsadmRestore(Namespace, Lab.SampleTable);
            Namespace.Feed("create X hash:ip\nadd X 10.0.0.1\ncreate Y hash:ip\n", "ipset", "restore");
            KubeProxyIptablesSample.Apply(Namespace);
            File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101);
            Snapshot = Write("cluster.yaml", GetKubeIpvsPlanLabTests.Snapshot());
            Rules = Write("good.rules", "-A -t 10.96.0.77:80 -s rr\n-a -t 10.96.0.77:80 -r 10.244.0.7:80 -m\n");
            BadRules = Write("bad.rules", "-A -t 10.96.0.78:80 -s rr\n-a -t 10.96.0.78:80 -r 10.244.0.8:99999 -m\n");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public TestNamespace Namespace { get; }
    public string Snapshot { get; }
    public string Rules { get; }
    public string BadRules { get; }

    /// <summary>
    /// The kernel state every cmdlet could change, as the reference tools print it: ipvsadm -Sn, its
    /// timeouts and sync daemons, ipset save, iptables-save (no counters, no timestamp comments), links and addresses.
    /// </summary>
    public string State() => string.Join("\n---\n",
        Namespace.Exec("ipvsadm", "-Sn"),
        Namespace.Exec("ipvsadm", "-L", "--timeout"),
        Namespace.Exec("ipvsadm", "-L", "--daemon"),
        Namespace.Exec("ipset", "save"),
        string.Join('\n', Namespace.Exec("iptables-save").Split('\n').Where(l => !l.StartsWith('#'))),
        Namespace.Exec("ip", "-o", "link"),
        Namespace.Exec("ip", "-o", "addr"));

    /// <summary>The PowerShell lines that set $snapshot, $rules and $badRules.</summary>
    public string Variables() => $"$snapshot = '{Snapshot}'; $rules = '{Rules}'; $badRules = '{BadRules}'\n";

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
        return path;
    }

    public void Dispose()
    {
        Namespace?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
