import CShim
import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// NUD_PERMANENT and NTF_SELF (linux/neighbour.h, not in Glibc's module).
private let permanent: UInt16 = 0x80
private let selfFlag: UInt8 = 0x02
private let bridgeFamily = UInt8(AF_BRIDGE)

extension RouteSocket {
  /// Puts `entry` on the device `index` (`name` for messages), replacing
  /// what is there for the same address or MAC.
  public func setNeighbour(_ entry: NeighbourEntry, index: Int32, name: String) throws {
    var request = neighbourRequest(entry, index)
    try change("set \(entry.description)", "on \"\(name)\"\(whereText)") { buf, size, seq in
      cnet_msg_neigh_set(buf, size, seq, &request)
    }
  }

  /// Removes `entry` from the device; a missing one is not an error.
  public func deleteNeighbour(_ entry: NeighbourEntry, index: Int32, name: String) throws {
    var request = neighbourRequest(entry, index)
    do {
      try change("delete \(entry.description)", "on \"\(name)\"\(whereText)") { buf, size, seq in
        cnet_msg_neigh_del(buf, size, seq, &request)
      }
    } catch let error as KernelError where error.code == ENOENT {
      // Gone already.
    }
  }

  /// The permanent entries of the device `index` (`ip neigh show dev VX
  /// nud permanent` and `bridge fdb show dev VX` with a dst): what cnet
  /// put there; the kernel's own (learned, the all-zero MAC) are left out.
  public func neighbours(index: Int32, name: String) throws -> [NeighbourEntry] {
    var found: [NeighbourEntry] = []
    for family in [UInt8(AF_INET), UInt8(AF_INET6), bridgeFamily] {
      found += try dump("list neighbours", "of \"\(name)\"\(whereText)", { buf, size, seq in
        cnet_msg_neigh_dump(buf, size, seq, family, index)
      }, parse: { message -> NeighbourEntry? in
        var info = cnet_neigh()
        guard cnet_parse_neigh(message, &info) == 0, info.ifindex == index, info.state & permanent != 0,
          info.has_lladdr != 0, info.dst_len == 4 || info.dst_len == 16
        else { return nil }
        let mac = MACAddress(bytes: bytes(info.lladdr, count: 6))
        guard let mac, mac.bytes != [0, 0, 0, 0, 0, 0],
          let address = IPAddress(bytes: bytes(info.dst, count: Int(info.dst_len)))
        else { return nil }
        return NeighbourEntry(info.family == bridgeFamily ? .forwarding(vtep: address) : .neighbour(address), mac: mac)
      })
    }
    return found
  }

  private func neighbourRequest(_ entry: NeighbourEntry, _ index: Int32) -> cnet_neigh {
    var request = cnet_neigh()
    request.ifindex = index
    request.state = permanent
    request.has_lladdr = 1
    fill(&request.lladdr, entry.mac.bytes)
    switch entry.kind {
    case .neighbour(let address):
      request.family = address.family == .v4 ? UInt8(AF_INET) : UInt8(AF_INET6)
      fill(&request.dst, address.bytes)
      request.dst_len = UInt8(address.bytes.count)
    case .forwarding(let vtep):
      request.family = bridgeFamily
      request.flags = selfFlag
      fill(&request.dst, vtep.bytes)
      request.dst_len = UInt8(vtep.bytes.count)
    }
    return request
  }
}
