import CShim
import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// Set and map elements as the kernel stores them, for the changes a join
/// and a leave make (published ports, isolated ports). These go to the
/// kernel as one nftables netlink batch of our own making: through nft
/// (Nftables) the same change costs a program's start and a fetch of the
/// whole ruleset, milliseconds where this takes tens of microseconds.
struct SetElement: Equatable {
  /// NFPROTO_INET or NFPROTO_BRIDGE.
  var family: UInt8
  var set: String
  var key: [UInt8]
  /// The last key of a range (interval sets of concatenations).
  var keyEnd: [UInt8]?
  /// A map's value.
  var data: [UInt8]?
  /// Its owner, as its comment: NFTA_SET_ELEM_USERDATA (see `userdata(comment:)`).
  var userdata: [UInt8] = []

  /// A comment as nft(8) writes one: a TLV of libnftnl's (type 0,
  /// NFTNL_UDATA_SET_ELEM_COMMENT; a length byte; the text and its NUL).
  /// Empty for no comment.
  static func userdata(comment: String) -> [UInt8] {
    var text = Array(comment.utf8)
    guard !text.isEmpty else { return [] }
    if text.count > 254 { text.removeLast(text.count - 254) }
    text.insert(contentsOf: [0, UInt8(text.count + 1)], at: 0)
    text.append(0)
    return text
  }

  static let inet: UInt8 = 1
  static let bridge: UInt8 = 7

  /// The elements of a publication: see Firewall's pub maps. Built with
  /// appends into arrays of the right size: a hundred ports make a hundred
  /// elements.
  static func elements(of publication: PortPublication) -> [SetElement] {
    let mapping = publication.mapping
    let family = publication.target.family
    let suffix = family == .v4 ? "4" : "6"
    let width = family == .v4 ? 4 : 16
    let first = mapping.hostAddress?.bytes ?? [UInt8](repeating: 0, count: width)
    let last = mapping.hostAddress?.bytes ?? [UInt8](repeating: 0xff, count: width)
    let target = publication.target.bytes
    let userdata = userdata(comment: publication.owner)
    /// proto . address . port
    func key(_ address: [UInt8], _ hostPort: UInt16) -> [UInt8] {
      var bytes = [UInt8]()
      bytes.reserveCapacity(8 + width)
      bytes.append(mapping.proto.number)
      bytes.append(contentsOf: [0, 0, 0])
      bytes.append(contentsOf: address)
      appendPort(&bytes, hostPort)
      return bytes
    }
    if mapping.hostPorts == mapping.ports {
      return [SetElement(
        family: inet, set: "pub\(suffix)k", key: key(first, mapping.hostPorts.lowerBound),
        keyEnd: key(last, mapping.hostPorts.upperBound), data: target, userdata: userdata)]
    }
    var elements: [SetElement] = []
    elements.reserveCapacity(mapping.hostPorts.count)
    for offset in 0..<UInt16(mapping.hostPorts.count) {
      let (hostPort, inside) = (mapping.hostPorts.lowerBound + offset, mapping.ports.lowerBound + offset)
      var data = target
      appendPort(&data, inside)
      if mapping.hostAddress == nil {
        // Every host address: proto . port in a hash map.
        var key: [UInt8] = [mapping.proto.number, 0, 0, 0]
        appendPort(&key, hostPort)
        elements.append(SetElement(family: inet, set: "pub\(suffix)a", key: key, data: data, userdata: userdata))
      } else {
        elements.append(SetElement(
          family: inet, set: "pub\(suffix)p", key: key(first, hostPort), keyEnd: key(last, hostPort), data: data,
          userdata: userdata))
      }
    }
    return elements
  }

  /// A port as a concatenation field: two bytes in network order, padded to 4.
  static func appendPort(_ bytes: inout [UInt8], _ port: UInt16) {
    bytes.append(UInt8(port >> 8))
    bytes.append(UInt8(port & 0xff))
    bytes.append(0)
    bytes.append(0)
  }

  /// An interface name as `type ifname` holds it: IFNAMSIZ bytes.
  static func element(isolating name: InterfaceName) -> SetElement {
    var key = Array(name.value.utf8.prefix(15))
    key += [UInt8](repeating: 0, count: 16 - key.count)
    return SetElement(family: bridge, set: "isolated", key: key)
  }
}

extension RouteSocket {
  /// Adds `elements` to cnet's sets in one transaction, or (`remove`)
  /// takes them out; neither fails on what is there already or missing.
  func changeSetElements(_ elements: [SetElement], remove: Bool) throws {
    guard !elements.isEmpty else { return }
    let c = CArguments()
    var groups: [(family: UInt8, set: String, items: [cnet_nft_elem])] = []
    var size = 256
    for element in elements {
      var item = cnet_nft_elem()
      item.key = c.bytes(element.key)
      item.key_len = UInt32(element.key.count)
      if let end = element.keyEnd {
        item.key_end = c.bytes(end)
        item.key_end_len = UInt32(end.count)
      }
      if let data = element.data {
        item.data = c.bytes(data)
        item.data_len = UInt32(data.count)
      }
      if !element.userdata.isEmpty {
        item.userdata = c.bytes(element.userdata)
        item.userdata_len = UInt32(element.userdata.count)
      }
      // Generous: the nests' headers and padding, twice when removing.
      size += (64 + element.key.count * 2 + (element.data?.count ?? 0) + element.userdata.count) * (remove ? 2 : 1)
      if let index = groups.firstIndex(where: { $0.family == element.family && $0.set == element.set }) {
        groups[index].items.append(item)
      } else {
        groups.append((element.family, element.set, [item]))
        size += 128
      }
    }
    var changes: [cnet_nft_set_change] = []
    for group in groups {
      var change = cnet_nft_set_change()
      change.family = group.family
      change.table = c.string(Firewall.table)
      change.set = c.string(group.set)
      change.elements = UnsafePointer(c.array(group.items))
      change.count = group.items.count
      changes.append(change)
    }
    let list = c.array(changes)
    let (outcome, _) = withExtendedLifetime(c) {
      exchange(requestSize: size) { buf, bufferSize, seq in
        cnet_msg_nft_elements(buf, bufferSize, seq, list, changes.count, remove ? 1 : 0)
      }
    }
    if outcome.code != 0 {
      throw KernelError(remove ? "remove firewall entries" : "add firewall entries",
                        "of \(groups.map(\.set).joined(separator: ", "))", code: outcome.code, kernelMessage: outcome.message)
    }
  }
}
