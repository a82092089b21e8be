using System.Net;
using Xunit;
using IpvsTools.Ipvs;

namespace IpvsTools.Tests.Ipvs;

/// <summary>A change of some settings keeps the others as the kernel has them (ipvsadm -E with some options).</summary>
public class IpvsServiceChangeTests
{
    private static readonly IpvsServiceKey Udp53 = IpvsServiceKey.ForAddress(IpvsProtocol.Udp, IPAddress.Parse("10.96.0.10"), 53);

    private static IpvsService Service(uint flags = 0, uint timeout = 0, string netmask = "255.255.255.255", string? engine = null, string scheduler = "sh")
        => new(Udp53, scheduler, flags, timeout, netmask, engine, [], IpvsStatistics.Zero, IpvsRates.Zero);

    [Fact]
    public void PersistentWithoutATimeoutKeepsTheServicesOrTakesIpvsadmsDefault()
    {
        Assert.Equal(360u, IpvsServiceChange.DefaultPersistenceTimeout);
        var change = new IpvsServiceChange { Persistent = true };
        var fresh = change.ApplyTo(Service());
        Assert.Equal(IpvsServiceSettings.PersistentFlag, fresh.Flags);
        Assert.Equal(360u, fresh.PersistenceTimeout);
        Assert.Equal(["persistent 360 s"], fresh.Changes);
        var kept = change.ApplyTo(Service(IpvsServiceSettings.PersistentFlag, 900));
        Assert.Equal(900u, kept.PersistenceTimeout);
        // A timeout given wins, and makes the service persistent.
        var given = new IpvsServiceChange { PersistenceTimeout = 30 }.ApplyTo(Service(IpvsServiceSettings.PersistentFlag, 900));
        Assert.Equal(30u, given.PersistenceTimeout);
        Assert.Equal(["persistent 30 s"], given.Changes);
    }

    [Fact]
    public void EndingPersistenceKeepsTheOtherFlagsAndTheSchedulerFlags()
    {
        const uint sched1 = 0x8;
        var before = Service(IpvsServiceSettings.PersistentFlag | IpvsServiceSettings.OnePacketFlag | sched1, 600);
        var outcome = new IpvsServiceChange { Persistent = false }.ApplyTo(before);
        Assert.Equal(IpvsServiceSettings.OnePacketFlag | sched1, outcome.Flags);
        Assert.Equal(["not persistent"], outcome.Changes);
        var settings = outcome.ToSettings();
        Assert.False(settings.IsPersistent);
        Assert.Equal("sh", settings.Scheduler);
    }

    [Fact]
    public void EachSettingGivenIsChangedAndNamedInOrder()
    {
        var outcome = new IpvsServiceChange { OnePacket = true, PersistenceNetmask = "24", PersistenceEngine = "sip", PersistenceTimeout = 60 }
            .ApplyTo(Service());
        Assert.Equal(["persistent 60 s", "one-packet scheduling", "netmask 24", "persistence engine sip"], outcome.Changes);
        Assert.False(outcome.NetmaskWithoutPersistence);
        var settings = outcome.ToSettings();
        Assert.Equal("255.255.255.0", settings.Netmask);
        Assert.Equal("sip", settings.PersistenceEngine);
        Assert.Equal(IpvsServiceSettings.PersistentFlag | IpvsServiceSettings.OnePacketFlag, settings.Flags);
        // An empty engine removes it; one-packet off clears only its bit.
        var off = new IpvsServiceChange { PersistenceEngine = "", OnePacket = false }
            .ApplyTo(Service(IpvsServiceSettings.PersistentFlag | IpvsServiceSettings.OnePacketFlag, 60, engine: "sip"));
        Assert.Null(off.PersistenceEngine);
        Assert.Equal(IpvsServiceSettings.PersistentFlag, off.Flags);
        Assert.Equal(["no one-packet scheduling", "no persistence engine"], off.Changes);
    }

    [Fact]
    public void EmptyContradictoryAndNetmaskWithoutPersistenceAreSeen()
    {
        Assert.True(new IpvsServiceChange().IsEmpty);
        Assert.False(new IpvsServiceChange { OnePacket = false }.IsEmpty);
        Assert.True(new IpvsServiceChange { PersistenceTimeout = 5, Persistent = false }.IsContradictory);
        Assert.False(new IpvsServiceChange { PersistenceTimeout = 5, Persistent = true }.IsContradictory);
        Assert.True(new IpvsServiceChange { PersistenceNetmask = "24" }.ApplyTo(Service()).NetmaskWithoutPersistence);
        Assert.True(new IpvsServiceChange { PersistenceNetmask = "24", Persistent = false }.ApplyTo(Service(IpvsServiceSettings.PersistentFlag, 60)).NetmaskWithoutPersistence);
        Assert.False(new IpvsServiceChange { PersistenceNetmask = "24" }.ApplyTo(Service(IpvsServiceSettings.PersistentFlag, 60)).NetmaskWithoutPersistence);
        // What the settings refuse is refused when they are built: an IPv4 netmask that is not one.
        var bad = new IpvsServiceChange { PersistenceNetmask = "33", Persistent = true }.ApplyTo(Service());
        Assert.Equal(FailureKind.InvalidArgument, Assert.Throws<IpvsToolsException>(() => bad.ToSettings()).Kind);
    }
}
