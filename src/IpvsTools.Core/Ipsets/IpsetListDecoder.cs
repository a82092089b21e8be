using System.Collections.Generic;
using System.Net;
using IpvsTools.Netlink;

namespace IpvsTools.Ipsets;

/// <summary>
/// Gathers the messages of an IPSET_CMD_LIST dump into sets. A big set comes over several messages;
/// the later ones carry only the set's name and more members, and are merged by name.
/// </summary>
internal sealed class IpsetListDecoder
{
    private readonly List<SetBuilder> _order = new();
    private readonly Dictionary<string, SetBuilder> _byName = new(System.StringComparer.Ordinal);
    private readonly string? _namespace;

    public IpsetListDecoder(string? networkNamespace) => _namespace = networkNamespace;

    public void Reset()
    {
        _order.Clear();
        _byName.Clear();
    }

    public void Add(NetlinkMessage message)
    {
        if (message.Type != IpsetConstants.MessageType(IpsetConstants.CmdList)) return;
        string? name = null;
        var attributes = message.Attributes(4);
        // First pass: the name, so members of a continuation message find their set.
        var scan = attributes;
        while (scan.TryRead(out var attribute))
        {
            if (attribute.Type == IpsetConstants.AttrSetName) name = attribute.GetString();
        }
        if (name is null) throw new NetlinkDecodeException("an ipset list message without a set name");
        if (!_byName.TryGetValue(name, out var set))
        {
            set = new SetBuilder(name);
            _byName[name] = set;
            _order.Add(set);
        }
        while (attributes.TryRead(out var attribute))
        {
            switch (attribute.Type)
            {
                case IpsetConstants.AttrTypeName: set.Type = attribute.GetString(); break;
                case IpsetConstants.AttrRevision: set.Revision = attribute.GetU8(); break;
                case IpsetConstants.AttrFamily: set.Family = attribute.GetU8(); break;
                case IpsetConstants.AttrData: ReadHeader(attribute.Nested(), set); break;
                case IpsetConstants.AttrAdt:
                    var members = attribute.Nested();
                    while (members.TryRead(out var data))
                    {
                        if (data.Type == IpsetConstants.AttrData) set.Members.Add(ReadMember(data.Nested(), set));
                    }
                    break;
            }
        }
    }

    public List<Ipset> Build()
    {
        var result = new List<Ipset>(_order.Count);
        foreach (var b in _order)
        {
            var type = b.Type ?? throw new NetlinkDecodeException($"set '{b.Name}' came without its type");
            var members = new List<IpsetMember>(b.Members.Count);
            foreach (var m in b.Members) members.Add(m.Build(b.Name, type, _namespace));
            var family = type == "bitmap:port" || b.Family is null or IpsetConstants.FamilyUnspec ? null
                : b.Family == IpsetConstants.FamilyInet6 ? "inet6" : "inet";
            var range = b.RangeFrom is null ? null : $"{b.RangeFrom}-{b.RangeTo}";
            result.Add(new Ipset(b.Name, type, b.Revision, family, b.HashSize, b.MaxElements, b.BucketSize, b.InitVal,
                b.Netmask, b.Timeout, (b.CadtFlags & IpsetConstants.FlagWithCounters) != 0,
                (b.CadtFlags & IpsetConstants.FlagWithComment) != 0, (b.CadtFlags & IpsetConstants.FlagWithSkbInfo) != 0,
                (b.CadtFlags & IpsetConstants.FlagWithForceAdd) != 0, range, b.References, b.MemorySize,
                b.Elements ?? (uint)members.Count, members, _namespace, b.Size, b.Bitmask, b.MarkMask));
        }
        return result;
    }

    private static void ReadHeader(NetlinkAttributeReader header, SetBuilder set)
    {
        while (header.TryRead(out var attribute))
        {
            switch (attribute.Type)
            {
                case IpsetConstants.AttrHashSize: set.HashSize = attribute.GetU32(); break;
                case IpsetConstants.AttrMaxElem: set.MaxElements = attribute.GetU32(); break;
                case IpsetConstants.AttrBucketSize: set.BucketSize = attribute.GetU8(); break;
                case IpsetConstants.AttrInitVal: set.InitVal = attribute.GetU32(); break;
                case IpsetConstants.AttrSize: set.Size = attribute.GetU32(); break;
                case IpsetConstants.AttrMarkMask: set.MarkMask = attribute.GetU32(); break;
                case IpsetConstants.AttrBitmask: set.Bitmask = ReadAddress(attribute.Nested())?.ToString(); break;
                case IpsetConstants.AttrNetmask: set.Netmask = attribute.GetU8(); break;
                case IpsetConstants.AttrTimeout: set.Timeout = attribute.GetU32(); break;
                case IpsetConstants.AttrCadtFlags: set.CadtFlags = attribute.GetU32(); break;
                case IpsetConstants.AttrReferences: set.References = attribute.GetU32(); break;
                case IpsetConstants.AttrMemSize: set.MemorySize = attribute.GetU32(); break;
                case IpsetConstants.AttrElements: set.Elements = attribute.GetU32(); break;
                case IpsetConstants.AttrPort: set.RangeFrom = attribute.GetU16().ToString(); break;
                case IpsetConstants.AttrPortTo: set.RangeTo = attribute.GetU16().ToString(); break;
                case IpsetConstants.AttrIp: set.RangeFrom = ReadAddress(attribute.Nested())?.ToString(); break;
                case IpsetConstants.AttrIpTo: set.RangeTo = ReadAddress(attribute.Nested())?.ToString(); break;
            }
        }
    }

    private static MemberBuilder ReadMember(NetlinkAttributeReader data, SetBuilder set)
    {
        var m = new MemberBuilder();
        while (data.TryRead(out var attribute))
        {
            switch (attribute.Type)
            {
                case IpsetConstants.AttrIp: m.Address = ReadAddress(attribute.Nested()); break;
                case IpsetConstants.AttrCidr: m.Cidr = attribute.GetU8(); break;
                case IpsetConstants.AttrPort: m.Port = attribute.GetU16(); break;
                case IpsetConstants.AttrProto: m.Protocol = attribute.GetU8(); break;
                case IpsetConstants.AttrTimeout: m.Timeout = attribute.GetU32(); break;
                case IpsetConstants.AttrCadtFlags: m.CadtFlags = attribute.GetU32(); break;
                case IpsetConstants.AttrMark: m.Mark = attribute.GetU32(); break;
                case IpsetConstants.AttrEther: m.Mac = FormatMac(attribute.Payload); break;
                case IpsetConstants.AttrIp2: m.Address2 = ReadAddress(attribute.Nested()); break;
                case IpsetConstants.AttrCidr2: m.Cidr2 = attribute.GetU8(); break;
                case IpsetConstants.AttrIface: m.Interface = attribute.GetString(); break;
                case IpsetConstants.AttrName: m.SetName = attribute.GetString(); break;
                case IpsetConstants.AttrBytes: m.Bytes = attribute.GetU64(); break;
                case IpsetConstants.AttrPackets: m.Packets = attribute.GetU64(); break;
                case IpsetConstants.AttrComment: m.Comment = attribute.GetString(); break;
                case IpsetConstants.AttrSkbMark:
                    if (attribute.Payload.Length >= 8)
                    {
                        m.SkbMark = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(attribute.Payload);
                        m.SkbMarkMask = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(attribute.Payload.Slice(4));
                    }
                    break;
                case IpsetConstants.AttrSkbPrio: m.SkbPriority = attribute.GetU32(); break;
                case IpsetConstants.AttrSkbQueue: m.SkbQueue = attribute.GetU16(); break;
            }
        }
        return m;
    }

    internal static IPAddress? ReadAddress(NetlinkAttributeReader nest)
    {
        IPAddress? address = null;
        while (nest.TryRead(out var attribute))
        {
            if (attribute.Type == IpsetConstants.AttrIpv4) address = attribute.GetAddress(4);
            else if (attribute.Type == IpsetConstants.AttrIpv6) address = attribute.GetAddress(16);
        }
        return address;
    }

    private static string FormatMac(System.ReadOnlySpan<byte> bytes)
    {
        var parts = new string[bytes.Length];
        for (var i = 0; i < bytes.Length; i++) parts[i] = bytes[i].ToString("X2");
        return string.Join(":", parts);
    }

    private sealed class SetBuilder
    {
        public SetBuilder(string name) => Name = name;
        public string Name { get; }
        public string? Type;
        public byte Revision;
        public byte? Family;
        public uint? HashSize, MaxElements, InitVal, Timeout, Elements, Size, MarkMask;
        public string? Bitmask;
        public byte? BucketSize, Netmask;
        public uint CadtFlags, References, MemorySize;
        public string? RangeFrom, RangeTo;
        public readonly List<MemberBuilder> Members = new();
    }

    private sealed class MemberBuilder
    {
        public IPAddress? Address, Address2;
        public byte? Cidr, Cidr2, Protocol;
        public ushort? Port, SkbQueue;
        public uint? Timeout, Mark, SkbMark, SkbMarkMask, SkbPriority;
        public uint CadtFlags;
        public ulong? Bytes, Packets;
        public string? Comment, Interface, Mac, SetName;

        public IpsetMember Build(string setName, string setType, string? ns) => new(
            setName, setType, Address, Cidr, Protocol is { } p ? IpsetText.ProtocolName(p) : null, Port, Address2, Cidr2,
            Mark, Interface, (CadtFlags & IpsetConstants.FlagPhysdev) != 0, Mac, Timeout, Packets, Bytes, Comment,
            (CadtFlags & IpsetConstants.FlagNoMatch) != 0, SkbMark, SkbMarkMask, SkbPriority, SkbQueue, ns, SetName, (CadtFlags & IpsetConstants.FlagIfaceWildcard) != 0);
    }
}
