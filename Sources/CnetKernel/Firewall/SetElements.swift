import CShim
import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// Set and map elements as the kernel stores them, for the changes a join
/// and a leave make (published ports, isolated ports). These go to the
/// kernel as one nftables netlink batch of our own making: through
/// libnftables the same change costs a library load and a fetch of the
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
  /// Its owner, kept as the element's comment.
  var comment = ""

  /// NFTA_SET_ELEM_USERDATA as nft(8) writes a comment: one TLV of
  /// libnftnl's (type 0, NFTNL_UDATA_SET_ELEM_COMMENT; a length byte; the
  /// text and its NUL). Empty without a comment (or one too long for it).
  var userdata: [UInt8] {
    let text = Array(comment.utf8.prefix(254))
    guard !text.isEmpty else { return [] }
    return [0, UInt8(text.count + 1)] + text + [0]
  }

  static let inet: UInt8 = 1
  static let bridge: UInt8 = 7

  /// A concatenation field: its bytes in network order, padded to 4.
  static func field(_ bytes: [UInt8]) -> [UInt8] {
    bytes + [UInt8](repeating: 0, count: (4 - bytes.count % 4) % 4)
  }

  static func port(_ port: UInt16) -> [UInt8] { field([UInt8(port >> 8), UInt8(port & 0xff)]) }

  /// The elements of a publication: see Firewall's pub maps.
  static func elements(of publication: PortPublication) -> [SetElement] {
    let mapping = publication.mapping
    let family = publication.target.family
    let suffix = family == .v4 ? "4" : "6"
    let proto = field([mapping.proto.number])
    let width = family == .v4 ? 4 : 16
    let first = mapping.hostAddress?.bytes ?? [UInt8](repeating: 0, count: width)
    let last = mapping.hostAddress?.bytes ?? [UInt8](repeating: 0xff, count: width)
    let target = publication.target.bytes
    if mapping.hostPorts == mapping.ports {
      return [SetElement(
        family: inet, set: "pub\(suffix)k", key: proto + first + port(mapping.hostPorts.lowerBound),
        keyEnd: proto + last + port(mapping.hostPorts.upperBound), data: target, comment: publication.owner)]
    }
    return zip(mapping.hostPorts, mapping.ports).map { hostPort, inside in
      SetElement(family: inet, set: "pub\(suffix)p", key: proto + first + port(hostPort),
                 keyEnd: proto + last + port(hostPort), data: target + port(inside), comment: publication.owner)
    }
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
      let userdata = element.userdata
      if !userdata.isEmpty {
        item.userdata = c.bytes(userdata)
        item.userdata_len = UInt32(userdata.count)
      }
      // Generous: the nests' headers and padding, twice when removing.
      size += (64 + element.key.count * 2 + (element.data?.count ?? 0) + userdata.count) * (remove ? 2 : 1)
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
