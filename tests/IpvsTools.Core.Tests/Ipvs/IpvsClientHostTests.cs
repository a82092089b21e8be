using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Tests.Ipvs;

/// <summary>The IPVS client against the host kernel, in a throwaway namespace.</summary>
[Trait("Tier", "Host")]
public class IpvsClientHostTests
{
    [Fact]
    public void OpeningSaysWhenIpvsIsMissingOrReadsAnEmptyTable()
    {
        using var ns = new TestNamespace();
        IpvsClient client;
        try
        {
            client = IpvsClient.Open(NetworkNamespace.Resolve(ns.Name));
        }
        catch (NetlinkException error)
        {
            // The host kernel of these machines has no IPVS and cannot load modules.
            Assert.Equal(FailureKind.ModuleMissing, error.Kind);
            Assert.Equal(Errno.ENOENT, error.Errno);
            Assert.StartsWith("the ip_vs kernel module is not loaded and could not be loaded (modprobe ip_vs)", error.Message,
                StringComparison.OrdinalIgnoreCase);
            return;
        }
        // A kernel with IPVS: a fresh namespace has an empty table.
        using (client)
        {
            Assert.Empty(client.GetServices());
            Assert.Equal("1.2.1", client.GetInfo().VersionText);
        }
    }
}
