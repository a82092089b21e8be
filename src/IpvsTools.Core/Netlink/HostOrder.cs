using System;
using System.Buffers.Binary;

namespace IpvsTools.Netlink;

/// <summary>
/// Netlink headers and plain attributes use the host's byte order. Every architecture this module
/// targets (x64, arm64, arm) is little endian; these helpers say so in one place.
/// </summary>
internal static class HostOrder
{
    public static void WriteU16(Span<byte> s, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(s, v);
    public static void WriteU32(Span<byte> s, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(s, v);
    public static void WriteU64(Span<byte> s, ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(s, v);
    public static ushort ReadU16(ReadOnlySpan<byte> s) => BinaryPrimitives.ReadUInt16LittleEndian(s);
    public static uint ReadU32(ReadOnlySpan<byte> s) => BinaryPrimitives.ReadUInt32LittleEndian(s);
    public static ulong ReadU64(ReadOnlySpan<byte> s) => BinaryPrimitives.ReadUInt64LittleEndian(s);
    public static int ReadI32(ReadOnlySpan<byte> s) => BinaryPrimitives.ReadInt32LittleEndian(s);
}
