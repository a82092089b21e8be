using IpvsTools.Netlink;
using Xunit;
using IpvsTools.Ipvs;

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

/// <summary>The kernel's answers to changes, in words that name what was changed and say what to do.</summary>
public class IpvsChangeErrorTests
{
    private static readonly IpvsServiceSettings Wrr = new(IpvsServiceKey.ForAddress(IpvsProtocol.Udp, System.Net.IPAddress.Parse("10.96.0.10"), 53), "wrr", 1, 30, null, "sip");

    [Fact]
    public void AMissingSchedulerNamesItsModuleAndTheCommand()
    {
        var error = IpvsChangeErrors.For(new NetlinkException(Errno.ENOENT), IpvsChangeKind.UpdateService, "Changing IPVS service UDP 10.96.0.10:53", "UDP 10.96.0.10:53", settings: Wrr);
        Assert.Equal(FailureKind.ModuleMissing, error.Kind);
        Assert.Contains("no scheduler 'wrr': module ip_vs_wrr is not loaded and could not be loaded; load it with `modprobe ip_vs_wrr`", error.Message);
        Assert.Contains("modprobe ip_vs_pe_sip", error.Message);
        Assert.StartsWith("Changing IPVS service UDP 10.96.0.10:53: ", error.Message);
        Assert.EndsWith("(ENOENT).", error.Message);
    }

    [Theory]
    [InlineData(Errno.ENOENT, IpvsChangeKind.RemoveDestination, FailureKind.NotFound, "has no real server 10.244.1.5:53")]
    [InlineData(Errno.ESRCH, IpvsChangeKind.AddDestination, FailureKind.NotFound, "there is no IPVS service UDP 10.96.0.10:53")]
    [InlineData(Errno.EEXIST, IpvsChangeKind.AddService, FailureKind.AlreadyExists, "IPVS service UDP 10.96.0.10:53 already exists")]
    [InlineData(Errno.EEXIST, IpvsChangeKind.AddDestination, FailureKind.AlreadyExists, "already has real server 10.244.1.5:53")]
    [InlineData(Errno.ERANGE, IpvsChangeKind.UpdateDestination, FailureKind.InvalidArgument, "out of range")]
    [InlineData(Errno.EINVAL, IpvsChangeKind.AddDestination, FailureKind.InvalidArgument, "unicast")]
    [InlineData(Errno.EINVAL, IpvsChangeKind.AddService, FailureKind.InvalidArgument, "refused the request as invalid")]
    [InlineData(Errno.ESRCH, IpvsChangeKind.StopDaemon, FailureKind.NotFound, "no master sync daemon is running")]
    [InlineData(Errno.ENODEV, IpvsChangeKind.StartDaemon, FailureKind.NotFound, "no such interface")]
    [InlineData(Errno.ENOBUFS, IpvsChangeKind.AddService, FailureKind.StateUnknown, "read the table again")]
    public void KernelAnswersInWords(int errno, object kind, FailureKind failure, string words)
    {
        var error = IpvsChangeErrors.For(new NetlinkException(errno, "extack"), (IpvsChangeKind)kind, "Doing it", "UDP 10.96.0.10:53", "10.244.1.5:53", daemon: "master");
        Assert.Equal((failure, errno), (error.Kind, error.Errno));
        Assert.Contains(words, error.Message);
        Assert.Contains("extack", error.Message);
    }

    [Fact]
    public void PermissionDeniedSaysWhatToDo()
    {
        var error = IpvsChangeErrors.For(new NetlinkException(Errno.EPERM), IpvsChangeKind.Clear, "Removing every IPVS service");
        Assert.Equal(FailureKind.PermissionDenied, error.Kind);
        Assert.Contains("sudo pwsh", error.Message);
    }
}
