using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Namespaces;

namespace IpvsTools.Ipvs;

/// <summary>
/// One entry of the kernel's IPVS connection table (/proc/net/ip_vs_conn): a client's connection (or a
/// persistence template) to a virtual service and the real server it was given. <see cref="ToString"/>
/// is the line `ipvsadm -Lnc` prints for it.
/// </summary>
public sealed class IpvsConnection
{
    /// <summary>A connection with everything the kernel shows of it.</summary>
    public IpvsConnection(string protocol, IPAddress clientAddress, ushort clientPort, IPAddress virtualAddress, ushort virtualPort,
        IPAddress destinationAddress, ushort destinationPort, string state, uint expiresSeconds, string? persistenceEngine = null,
        string? persistenceData = null, string? networkNamespace = null)
    {
        Protocol = protocol;
        ClientAddress = clientAddress;
        ClientPort = clientPort;
        VirtualAddress = virtualAddress;
        VirtualPort = virtualPort;
        DestinationAddress = destinationAddress;
        DestinationPort = destinationPort;
        State = state;
        ExpiresSeconds = expiresSeconds;
        PersistenceEngine = persistenceEngine;
        PersistenceData = persistenceData;
        NetworkNamespace = networkNamespace;
    }

    /// <summary>TCP, UDP, SCTP (or another name the kernel gives, such as AH or ESP).</summary>
    public string Protocol { get; }

    /// <summary>The client's address.</summary>
    public IPAddress ClientAddress { get; }

    /// <summary>The client's port (0 for a persistence template).</summary>
    public ushort ClientPort { get; }

    /// <summary>The virtual address the client connected to.</summary>
    public IPAddress VirtualAddress { get; }

    /// <summary>The virtual port.</summary>
    public ushort VirtualPort { get; }

    /// <summary>The real server's address.</summary>
    public IPAddress DestinationAddress { get; }

    /// <summary>The real server's port.</summary>
    public ushort DestinationPort { get; }

    /// <summary>The connection's state: ESTABLISHED, SYN_RECV, FIN_WAIT, TIME_WAIT, CLOSE... for TCP, UDP for UDP, NONE for templates.</summary>
    public string State { get; }

    /// <summary>Seconds until the entry expires.</summary>
    public uint ExpiresSeconds { get; }

    /// <summary>How long until the entry expires.</summary>
    public TimeSpan Expires => TimeSpan.FromSeconds(ExpiresSeconds);

    /// <summary>The persistence engine (sip), or null.</summary>
    public string? PersistenceEngine { get; }

    /// <summary>The persistence engine's data (a SIP Call-ID), or null.</summary>
    public string? PersistenceData { get; }

    /// <summary>The client's address family (the real server's may differ with tunnelling).</summary>
    public AddressFamily AddressFamily => ClientAddress.AddressFamily;

    /// <summary>The network namespace the table was read in; null for the caller's own.</summary>
    public string? NetworkNamespace { get; }

    /// <summary>"10.96.0.10:38700" / "[fd00::10]:45211".</summary>
    public string Client => IpvsadmSaveText.FormatEndpoint(ClientAddress, ClientPort);

    /// <summary>"10.96.0.10:80".</summary>
    public string Virtual => IpvsadmSaveText.FormatEndpoint(VirtualAddress, VirtualPort);

    /// <summary>"10.244.0.3:8080".</summary>
    public string Destination => IpvsadmSaveText.FormatEndpoint(DestinationAddress, DestinationPort);

    /// <summary>The line `ipvsadm -Lnc` prints: "TCP 00:57  SYN_RECV    10.96.0.10:38700   10.96.0.10:80      10.244.0.3:8080".</summary>
    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture,
            $"{Protocol,-3} {ExpiresSeconds / 60:00}:{ExpiresSeconds % 60:00}  {State,-11} {Client,-18} {Virtual,-18} {Destination,-18}").TrimEnd();
}
