using IpvsTools.Iptables;
using IpvsTools.Processes;
using Xunit;

namespace IpvsTools.Tests.Iptables;

/// <summary>
/// The iptables tools' --version answer is kept per tool file (IptablesClient.Open asked it every time). With
/// the real tools of both backends: an `iptables` link switched from iptables-nft to iptables-legacy, as the
/// system's alternatives switch it, is a different file and is asked again; an unchanged one is not.
/// </summary>
[Trait("Tier", "Host")]
public class IptablesToolVersionsHostTests
{
    private static string Ask(string program) => ChildProcess.Run(program, ["--version"]).StandardOutput;

    [Fact]
    public void AToolSwitchedToTheOtherBackendIsAskedAgain()
    {
        var folder = Directory.CreateTempSubdirectory("ipvstools-iptables-alternatives-");
        try
        {
            // A name that is never on PATH, so no other test can meet what this one keeps.
            var link = Path.Combine(folder.FullName, "iptables");
            File.CreateSymbolicLink(link, ChildProcess.FindProgram("iptables-nft") ?? throw new InvalidOperationException("iptables-nft is not installed"));
            var nft = IptablesToolVersions.Identify(link);
            Assert.NotNull(nft);
            Assert.EndsWith("/xtables-nft-multi", nft.Value.Target);
            Assert.Null(IptablesToolVersions.Lookup(link, nft));
            var nftSaid = Ask(link);
            Assert.Equal(IptablesBackend.NfTables, IptablesClient.ParseVersion(nftSaid).Backend);
            IptablesToolVersions.Remember(link, nft, nftSaid);
            Assert.Equal(nftSaid, IptablesToolVersions.Lookup(link, IptablesToolVersions.Identify(link)));

            File.Delete(link);
            File.CreateSymbolicLink(link, ChildProcess.FindProgram("iptables-legacy") ?? throw new InvalidOperationException("iptables-legacy is not installed"));
            var legacy = IptablesToolVersions.Identify(link);
            Assert.NotNull(legacy);
            Assert.EndsWith("/xtables-legacy-multi", legacy.Value.Target);
            Assert.Null(IptablesToolVersions.Lookup(link, legacy));
            Assert.Equal(IptablesBackend.Legacy, IptablesClient.ParseVersion(Ask(link)).Backend);

            File.Delete(link);
            Assert.Null(IptablesToolVersions.Identify(link));
            Assert.Null(IptablesToolVersions.Lookup(link, IptablesToolVersions.Identify(link)));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void OpeningAgainGivesWhatTheToolSaid()
    {
        foreach (var backend in new IptablesBackend?[] { null, IptablesBackend.NfTables, IptablesBackend.Legacy })
        {
            var first = IptablesClient.Open(IptablesFamily.IPv4, backend);
            var again = IptablesClient.Open(IptablesFamily.IPv4, backend);
            var prefix = backend switch { IptablesBackend.NfTables => "iptables-nft", IptablesBackend.Legacy => "iptables-legacy", _ => "iptables" };
            var (version, detected) = IptablesClient.ParseVersion(Ask(prefix));
            Assert.Equal(version, first.ToolVersion);
            Assert.Equal(version, again.ToolVersion);
            Assert.Equal(backend ?? detected, first.Backend);
            Assert.Equal(first.Backend, again.Backend);
        }
    }
}
