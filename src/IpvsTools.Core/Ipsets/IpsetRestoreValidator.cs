using System;
using System.Collections.Generic;
using System.Linq;

namespace IpvsTools.Ipsets;

/// <summary>
/// Checks a whole restore file against the sets the kernel has, before anything is applied: it plays the
/// file on a model of the sets (names, types, families, options, references, and the members of the
/// sets it touches) and refuses every line the tool or the kernel would refuse: a missing set, a set
/// that exists, an element of the wrong syntax or family, an option the set cannot hold, a member
/// already there (add) or not there (del) unless -exist, a referenced set destroyed or renamed, a swap
/// of different types. Each line's entry is filled in for the client.
/// </summary>
public static class IpsetRestoreValidator
{
    /// <param name="script">The parsed file.</param>
    /// <param name="current">The kernel's sets (headers are enough).</param>
    /// <param name="membersOf">The element texts of a kernel set's members, read when a line adds to or deletes from it; null: not checked.</param>
    /// <param name="exist">-exist for the whole file.</param>
    public static IReadOnlyList<IpsetRestoreException> Validate(IpsetRestoreScript script, IReadOnlyList<Ipset> current,
        Func<string, IReadOnlyCollection<string>?>? membersOf, bool exist)
    {
        var sets = new Dictionary<string, Model>(StringComparer.Ordinal);
        foreach (var set in current) sets[set.Name] = Model.Of(set, membersOf);
        var errors = new List<IpsetRestoreException>();
        foreach (var line in script.Lines)
        {
            try
            {
                Check(line, sets, exist || line.Exist);
            }
            catch (IpsetRestoreException ex)
            {
                errors.Add(ex);
            }
        }
        return errors;
    }

    private static string Word(IpsetRestoreCommand command) => command switch
    {
        IpsetRestoreCommand.Add => "add",
        IpsetRestoreCommand.Delete => "delete",
        _ => "test",
    };

    private static System.Net.IPAddress LastOf(IpsetElement element)
    {
        if (element.Cidr is not { } cidr || cidr >= 32 || element.Address is null) return element.Address!;
        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(element.Address.GetAddressBytes()) | (uint.MaxValue >> cidr);
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new System.Net.IPAddress(bytes);
    }

    private static void Check(IpsetRestoreLine line, Dictionary<string, Model> sets, bool exist)
    {
        IpsetRestoreException Error(string problem, FailureKind kind = FailureKind.InvalidArgument) => new(line.LineNumber, line.Text, problem, kind);
        Model Existing(string name) => sets.TryGetValue(name, out var model) ? model
            : throw Error($"there is no set named '{name}' (neither in the kernel nor created by an earlier line)", FailureKind.NotFound);
        switch (line.Command)
        {
            case IpsetRestoreCommand.Create:
            {
                var name = line.SetName!;
                var options = line.CreateOptions!;
                if (sets.TryGetValue(name, out var there))
                {
                    if (!exist) throw Error($"a set named '{name}' already exists (-Exist passes over a set of the same type and options)", FailureKind.AlreadyExists);
                    if (there.Type != options.Type || there.Family != options.EffectiveFamily)
                        throw Error($"a set named '{name}' already exists as {there.Type}{(there.Family is null ? "" : " family " + there.Family)}", FailureKind.AlreadyExists);
                    line.SetExists = true;
                    return;
                }
                sets[name] = Model.Of(name, options);
                return;
            }
            case IpsetRestoreCommand.Add:
            case IpsetRestoreCommand.Delete:
            case IpsetRestoreCommand.Test:
            {
                var set = Existing(line.SetName!);
                var type = IpsetTypeInfo.Find(set.Type) ?? throw Error($"IpvsTools does not know the type {set.Type} of set '{line.SetName}'", FailureKind.NotSupported);
                IpsetEntry entry;
                try
                {
                    var element = IpsetElementParser.Parse(line.ElementText, type, set.Family);
                    if (line.Reference is { } reference) element = element.WithReference(reference, line.Before);
                    if (type.IsBitmap && set.RangeFrom is { } from && set.RangeTo is { } to && (element.Port < from || (element.PortTo ?? element.Port) > to))
                        throw new IpsetSyntaxException($"'{element}' is outside the range {from}-{to} of set '{line.SetName}' (IPSET_ERR_BITMAP_RANGE)");
                    if (type.IsBitmap && set.AddressFrom is { } first && set.AddressTo is { } last && element.Address is { } address
                        && (IpsetElementParser.CompareV4(address, first) < 0 || IpsetElementParser.CompareV4(element.AddressTo ?? LastOf(element), last) > 0))
                        throw new IpsetSyntaxException($"'{element}' is outside the range {first}-{last} of set '{line.SetName}' (IPSET_ERR_BITMAP_RANGE)");
                    if (line.Command == IpsetRestoreCommand.Test && element.IsRange && !(type.IsBitmap && set.Netmask is not null))
                        throw new IpsetSyntaxException($"'{element}' is a range: test takes one member");
                    if (line.NoMatch && !type.HasNetDimension)
                        throw new IpsetSyntaxException($"nomatch applies to sets with a net part; {type.Name} has none (ipset: Unknown argument)");
                    if (line.Wildcard && type.Name != "hash:net,iface")
                        throw new IpsetSyntaxException($"wildcard applies to hash:net,iface sets (ipset: Unknown argument)");
                    if (IpsetNullElement.Problem(element, set.Netmask, set.Bitmask, set.Revision) is { } nullProblem)
                        throw new IpsetSyntaxException(nullProblem);
                    entry = new IpsetEntry(element, line.Timeout, line.Packets, line.Bytes, line.Comment, line.NoMatch,
                        line.SkbMark, line.SkbMarkMask, line.SkbPriority, line.SkbQueue, line.Wildcard);
                }
                catch (IpvsToolsException ex)
                {
                    throw Error(ex.Message.TrimEnd('.'));
                }
                if (entry.Timeout is not null && !set.HasTimeout) throw Error($"set '{line.SetName}' was created without a timeout, so its members cannot have one");
                if ((entry.Packets is not null || entry.Bytes is not null) && !set.Counters) throw Error($"set '{line.SetName}' was created without counters");
                if (entry.Comment is not null && !set.Comment) throw Error($"set '{line.SetName}' was created without comment support");
                if ((entry.SkbMark ?? entry.SkbPriority ?? entry.SkbQueue) is not null && !set.SkbInfo) throw Error($"set '{line.SetName}' was created without skbinfo");
                if (type.IsList)
                {
                    // The member and the reference are sets: they must exist, and a list:set holds no list:set (IPSET_ERR_NAME, _LOOP, _NAMEREF).
                    var member = entry.Element.SetName!;
                    if (!sets.TryGetValue(member, out var memberSet))
                        throw Error($"there is no set named '{member}' to {Word(line.Command)} as a member of '{line.SetName}' (IPSET_ERR_NAME)", FailureKind.NotFound);
                    if (memberSet.Type == "list:set") throw Error($"set '{member}' is a list:set: a list:set holds no list:set (IPSET_ERR_LOOP)");
                    if (entry.Element.Reference is { } reference && !sets.ContainsKey(reference))
                        throw Error($"there is no set named '{reference}' (named by {(entry.Element.Before ? "before" : "after")}; IPSET_ERR_NAMEREF)", FailureKind.NotFound);
                }
                line.Entry = entry;
                var members = set.Members();
                if (members is null) return;
                if (entry.Element.IsRange || entry.Element.Reference is not null)
                {
                    if (line.Command != IpsetRestoreCommand.Test) set.Forget();
                    return;
                }
                var text = entry.Element.SetName ?? entry.Element.Text;
                if (line.Command == IpsetRestoreCommand.Add)
                {
                    if (!members.Add(text) && !exist) throw Error($"{text} is already in set '{line.SetName}' (-Exist passes over members already there)", FailureKind.AlreadyExists);
                }
                else if (line.Command == IpsetRestoreCommand.Delete)
                {
                    if (!members.Remove(text) && !exist) throw Error($"{text} is not in set '{line.SetName}' (-Exist passes over members already gone)", FailureKind.NotFound);
                }
                else if (set.ExactTest && !line.NoMatch && !members.Contains(text))
                {
                    // ipset restore stops at a test that fails: so does the check, before anything is applied.
                    throw Error($"{text} is not in set '{line.SetName}' (a failing test stops ipset restore)", FailureKind.NotFound);
                }
                return;
            }
            case IpsetRestoreCommand.Destroy:
                if (line.SetName is null)
                {
                    var referenced = sets.Values.FirstOrDefault(s => s.References > 0);
                    if (referenced is not null) throw Error($"set '{referenced.Name}' is referenced by iptables rules or other sets, so the kernel destroys no set", FailureKind.Busy);
                    sets.Clear();
                    return;
                }
                if (Existing(line.SetName).References > 0)
                    throw Error($"set '{line.SetName}' is referenced by iptables rules or other sets; remove them first", FailureKind.Busy);
                sets.Remove(line.SetName);
                return;
            case IpsetRestoreCommand.Flush:
                if (line.SetName is null)
                {
                    foreach (var set in sets.Values) set.Flush();
                    return;
                }
                Existing(line.SetName).Flush();
                return;
            case IpsetRestoreCommand.Rename:
            {
                var set = Existing(line.SetName!);
                if (sets.ContainsKey(line.OtherName!)) throw Error($"a set named '{line.OtherName}' already exists", FailureKind.AlreadyExists);
                if (set.References > 0) throw Error($"set '{line.SetName}' is referenced by iptables rules or other sets; the kernel renames only unreferenced sets", FailureKind.Busy);
                sets.Remove(line.SetName!);
                set.Name = line.OtherName!;
                sets[set.Name] = set;
                return;
            }
            case IpsetRestoreCommand.Swap:
            {
                var first = Existing(line.SetName!);
                var second = Existing(line.OtherName!);
                if (first.Type != second.Type || first.Family != second.Family)
                    throw Error($"sets '{line.SetName}' ({first.Type}) and '{line.OtherName}' ({second.Type}) differ in type or family; the kernel swaps only alike sets");
                // The contents trade places; the references stay with the names.
                (first.References, second.References) = (second.References, first.References);
                (first.Name, second.Name) = (second.Name, first.Name);
                sets[first.Name] = first;
                sets[second.Name] = second;
                return;
            }
        }
    }

    /// <summary>What the validator knows of a set while it plays the file.</summary>
    private sealed class Model
    {
        private HashSet<string>? _members;
        private bool _loaded;
        private Func<string, IReadOnlyCollection<string>?>? _load;

        public string Name = "";
        public string Type = "";
        public string? Family;
        public bool HasTimeout, Counters, Comment, SkbInfo;
        public ushort? RangeFrom, RangeTo;
        public System.Net.IPAddress? AddressFrom, AddressTo, Bitmask;
        public byte? Netmask, Revision;
        public uint? MarkMask;

        /// <summary>A test of this set asks for one exact member (no networks, masks or timeouts that make it match more or less).</summary>
        public bool ExactTest => !IpsetTypeInfo.Find(Type)!.HasNetDimension && Netmask is null && Bitmask is null && MarkMask is null && !HasTimeout
            && Type is not ("bitmap:ip,mac" or "list:set");
        public uint References;
        public bool Untracked;

        public static Model Of(Ipset set, Func<string, IReadOnlyCollection<string>?>? load)
        {
            ushort? from = null, to = null;
            System.Net.IPAddress? addressFrom = null, addressTo = null;
            if (set.Range?.Split('-') is [var f, var t])
            {
                if (ushort.TryParse(f, out var a) && ushort.TryParse(t, out var b)) (from, to) = (a, b);
                else if (IpsetElementParser.TryParseV4(f, out var af) && IpsetElementParser.TryParseV4(t, out var at)) (addressFrom, addressTo) = (af, at);
            }
            return new Model
            {
                Name = set.Name, Type = set.Type, Family = set.Family, HasTimeout = set.Timeout is not null, Counters = set.Counters, Comment = set.Comment, SkbInfo = set.SkbInfo,
                RangeFrom = from, RangeTo = to, AddressFrom = addressFrom, AddressTo = addressTo, References = set.References,
                Netmask = set.Netmask, Bitmask = set.Bitmask is null ? null : System.Net.IPAddress.Parse(set.Bitmask), MarkMask = set.MarkMask, Revision = set.Revision,
                // A netmask folds addresses together: which member an element is, only the kernel says.
                Untracked = Folds(set.Type, set.Netmask, set.Bitmask), _load = Folds(set.Type, set.Netmask, set.Bitmask) ? null : load,
            };
        }

        public static Model Of(string name, IpsetCreateOptions options) => new()
        {
            Name = name,
            Type = options.Type, Family = options.EffectiveFamily, HasTimeout = options.Timeout is not null, Counters = options.Counters, Comment = options.Comment, SkbInfo = options.SkbInfo,
            RangeFrom = options.RangeFrom, RangeTo = options.RangeTo, AddressFrom = options.AddressRangeFrom, AddressTo = options.AddressRangeTo,
            Netmask = options.Netmask, Bitmask = options.Bitmask, MarkMask = options.MarkMask,
            Untracked = Folds(options.Type, options.Netmask, options.Bitmask), _loaded = true,
            _members = Folds(options.Type, options.Netmask, options.Bitmask) ? null : new HashSet<string>(StringComparer.Ordinal),
        };

        /// <summary>
        /// Whether which member an element is takes the kernel to say: a netmask or bitmask folds addresses
        /// together, and a bitmap:ip,mac address added without its MAC takes one later.
        /// </summary>
        private static bool Folds(string type, byte? netmask, object? bitmask) => netmask is not null || bitmask is not null || type == "bitmap:ip,mac";

        /// <summary>The members as element texts, or null when not known.</summary>
        public HashSet<string>? Members()
        {
            if (_loaded) return _members;
            _loaded = true;
            var loaded = _load?.Invoke(Name);
            _members = loaded is null ? null : new HashSet<string>(loaded, StringComparer.Ordinal);
            return _members;
        }

        public void Forget()
        {
            _loaded = true;
            _members = null;
        }

        public void Flush()
        {
            _loaded = true;
            _members = Untracked ? null : new HashSet<string>(StringComparer.Ordinal);
        }
    }
}
