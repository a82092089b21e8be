using IpvsTools.IpvsWire;
using IpvsTools.Netlink;
using Xunit;

namespace IpvsTools.Tests.Ipvs;

public class IpvsErrorTests
{
    [Fact]
    public void PermissionDeniedSaysWhatToDo()
    {
        var error = IpvsErrors.ToException(new NetlinkException(Errno.EPERM), "Listing the IPVS services");
        Assert.Equal(FailureKind.PermissionDenied, error.Kind);
        Assert.Equal(Errno.EPERM, error.Errno);
        Assert.StartsWith("Listing the IPVS services: ", error.Message);
        Assert.Contains("IPVS needs CAP_NET_ADMIN", error.Message);
        Assert.Contains("sudo pwsh", error.Message);
    }

    [Fact]
    public void ModuleMissingSentence()
    {
        Assert.StartsWith("the ip_vs kernel module is not loaded and could not be loaded (modprobe ip_vs)", IpvsErrors.ModuleMissing,
            StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(Errno.ESRCH, FailureKind.NotFound, "no such virtual service")]
    [InlineData(Errno.EEXIST, FailureKind.AlreadyExists, "already exists")]
    [InlineData(Errno.EAFNOSUPPORT, FailureKind.NotSupported, "IPv6")]
    [InlineData(Errno.ERANGE, FailureKind.InvalidArgument, "weight")]
    public void KernelErrorsInWords(int errno, FailureKind kind, string words)
    {
        var error = IpvsErrors.ToException(new NetlinkException(errno, "extack text"), "Doing it");
        Assert.Equal(kind, error.Kind);
        Assert.Equal(errno, error.Errno);
        Assert.Contains(words, error.Message);
        Assert.Contains("extack text", error.Message);
    }
}
