using System;
using System.Buffers.Binary;
using System.Text;

namespace IpvsTools.Diagnostics;

/// <summary>
/// The DNS query the UDP probe sends to port 53 (RFC 1035: one question, recursion desired) and the
/// test that a datagram answers it: the same id, the QR bit set. Any answer counts (NXDOMAIN too): the
/// probe asks whether a DNS server is reached, not what it knows.
/// </summary>
internal static class DnsProbeMessage
{
    /// <summary>The name asked for: the API server's Service name in every cluster.</summary>
    public const string QueryName = "kubernetes.default.svc.cluster.local";

    public static byte[] Query(ushort id, string name = QueryName)
    {
        ArgumentNullException.ThrowIfNull(name);
        var labels = name.TrimEnd('.').Split('.');
        var message = new byte[12 + 1 + labels.Length + Encoding.ASCII.GetByteCount(string.Concat(labels)) + 4];
        BinaryPrimitives.WriteUInt16BigEndian(message, id);
        message[2] = 0x01; // RD
        message[5] = 1;    // QDCOUNT
        var at = 12;
        foreach (var label in labels)
        {
            if (label.Length is 0 or > 63) throw new ArgumentException($"'{name}' is not a DNS name.", nameof(name));
            message[at++] = (byte)label.Length;
            at += Encoding.ASCII.GetBytes(label, 0, label.Length, message, at);
        }
        message[at++] = 0;
        message[at + 1] = 1; // QTYPE A
        message[at + 3] = 1; // QCLASS IN
        return message;
    }

    /// <summary>True when <paramref name="datagram"/> is a DNS response to query <paramref name="id"/>.</summary>
    public static bool IsAnswerTo(ReadOnlySpan<byte> datagram, ushort id)
        => datagram.Length >= 12 && BinaryPrimitives.ReadUInt16BigEndian(datagram) == id && (datagram[2] & 0x80) != 0;

    /// <summary>The response code of an answer (0 NOERROR, 3 NXDOMAIN...).</summary>
    public static int ResponseCode(ReadOnlySpan<byte> answer) => answer.Length >= 4 ? answer[3] & 0x0F : -1;
}
