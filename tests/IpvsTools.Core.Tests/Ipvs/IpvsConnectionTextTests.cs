using System.Net;
using Xunit;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Tests.Ipvs;

/// <summary>/proc/net/ip_vs_conn as kernel 6.1 writes it (lines seen in the lab), and `ipvsadm -Lnc` lines from it.</summary>
public class IpvsConnectionTextTests
{
    internal const string Sample = """
        Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData
        TCP 0A60000A 0000 0A60000A 0050 0AF40003 1F90 NONE             57
        UDP 0A60000A E186 0A60000A 0035 0AF40002 0035 UDP             297
        UDP fd00:0000:0000:0000:0000:0000:0000:0010 B09B fd00:0000:0000:0000:0000:0000:0000:0010 0035 fd00:0244:0000:0000:0000:0000:0000:0002 0035 UDP             297
        TCP 0A60000A 972C 0A60000A 0050 0AF40003 1F90 SYN_RECV         57
        UDP C0A80001 13C4 0A600001 13C4 0AF40005 13C4 UDP             180 sip abc@host one
        TCP 0A600001 1F90 0A600001 0050 fd00:0000:0000:0000:0000:0000:0000:0008 0050 ESTABLISHED     899

        """;

    [Fact]
    public void EntriesAsTheKernelWritesThem()
    {
        var connections = IpvsConnectionText.Parse(Sample.Replace("\r\n", "\n"), "lab1");
        Assert.Equal(6, connections.Count);
        var template = connections[0];
        Assert.Equal(("TCP", "10.96.0.10", (ushort)0, "10.96.0.10:80", "10.244.0.3:8080", "NONE", 57u),
            (template.Protocol, template.ClientAddress.ToString(), template.ClientPort, template.Virtual, template.Destination, template.State, template.ExpiresSeconds));
        Assert.Equal("lab1", template.NetworkNamespace);
        Assert.Equal("[fd00::10]:45211", connections[2].Client);
        Assert.Equal("[fd00:244::2]:53", connections[2].Destination);
        Assert.Equal(("sip", "abc@host one"), (connections[4].PersistenceEngine, connections[4].PersistenceData));
        Assert.Null(connections[1].PersistenceEngine);
        // An IPv4 service tunnelling to an IPv6 real server: the destination is written in the IPv6 form.
        Assert.Equal(IPAddress.Parse("fd00::8"), connections[5].DestinationAddress);
        Assert.Equal(TimeSpan.FromSeconds(899), connections[5].Expires);
    }

    [Fact]
    public void StringFormsAreIpvsadmsLines()
    {
        var connections = IpvsConnectionText.Parse(Sample.Replace("\r\n", "\n"));
        // As `ipvsadm -Lnc` printed them in the lab (trailing spaces trimmed).
        Assert.Equal("TCP 00:57  NONE        10.96.0.10:0       10.96.0.10:80      10.244.0.3:8080", connections[0].ToString());
        Assert.Equal("UDP 04:57  UDP         10.96.0.10:57734   10.96.0.10:53      10.244.0.2:53", connections[1].ToString());
        Assert.Equal("UDP 04:57  UDP         [fd00::10]:45211   [fd00::10]:53      [fd00:244::2]:53", connections[2].ToString());
        Assert.Equal("TCP 00:57  SYN_RECV    10.96.0.10:38700   10.96.0.10:80      10.244.0.3:8080", connections[3].ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("TCP 0A60000A 0000 0A60000A 0050 0AF40003 1F90 NONE 57")]
    [InlineData(IpvsConnectionText.Title + "\nTCP 0A60000A 0000 0A60000A 0050 0AF40003 1F90 NONE")]
    [InlineData(IpvsConnectionText.Title + "\nTCP 0A60000 0000 0A60000A 0050 0AF40003 1F90 NONE 57")]
    [InlineData(IpvsConnectionText.Title + "\nTCP 0A60000A 00000 0A60000A 0050 0AF40003 1F90 NONE 57")]
    [InlineData(IpvsConnectionText.Title + "\nTCP 0A60000A 0000 0A60000A 0050 0AF40003 1F90 NONE -5")]
    [InlineData(IpvsConnectionText.Title + "\nTCP 0A60000A 0000 0A60000A 0050 zzzzzzzz 1F90 NONE 57")]
    public void MalformedTablesAreATypedError(string text)
        => Assert.Equal(FailureKind.Protocol, Assert.Throws<IpvsToolsException>(() => IpvsConnectionText.Parse(text)).Kind);

    [Fact]
    public void AnEmptyTableHasOnlyItsTitle() => Assert.Empty(IpvsConnectionText.Parse(IpvsConnectionText.Title + "\n"));

    [Fact]
    [Trait("Category", "Fuzz")]
    public void TheReaderSurvivesHostileInput()
    {
        var random = new Random(20261126);
        var seed = Sample.Replace("\r\n", "\n");
        const string alphabet = "0123456789ABCDEFabcdef: \n\rTCPUDPNOESYN_";
        var outcomes = new Dictionary<string, int>();
        var iterations = FuzzIterations.Scaled(20_000);
        for (var i = 0; i < iterations; i++)
        {
            string text;
            switch (random.Next(4))
            {
                case 0: text = seed[..random.Next(seed.Length + 1)]; break;
                case 1:
                    var chars = seed.ToCharArray();
                    for (var n = random.Next(1, 8); n > 0; n--) chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
                    text = new string(chars);
                    break;
                case 2: text = new string(Enumerable.Range(0, random.Next(300)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray()); break;
                default: text = IpvsConnectionText.Title + "\n" + string.Concat(Enumerable.Repeat(seed.Split('\n')[random.Next(1, 7)] + "\n", random.Next(100, 2000))); break;
            }
            try
            {
                var connections = IpvsConnectionText.Parse(text);
                foreach (var c in connections) Assert.NotNull(c.ToString());
                outcomes["parsed"] = outcomes.GetValueOrDefault("parsed") + 1;
            }
            catch (IpvsToolsException ex) when (ex.Kind == FailureKind.Protocol)
            {
                outcomes["refused"] = outcomes.GetValueOrDefault("refused") + 1;
            }
        }
        Assert.True(outcomes.GetValueOrDefault("parsed") > 0 && outcomes.GetValueOrDefault("refused") > 0, string.Join(", ", outcomes));
        TestContext.Current.SendDiagnosticMessage("connection table fuzz outcomes: " + string.Join(", ", outcomes.OrderBy(k => k.Key).Select(k => $"{k.Key}={k.Value}")));
    }
}
