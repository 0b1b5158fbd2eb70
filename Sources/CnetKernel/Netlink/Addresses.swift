import CShim
import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// One address on a link (`ip addr show`).
public struct AddressInfo: Sendable, Equatable {
  public var linkIndex: Int32
  public var cidr: CIDR
  /// Point-to-point peer, when the address has one.
  public var peer: IPAddress?
  public var broadcast: IPAddress?
  /// RT_SCOPE_*.
  public var scope: UInt8
  /// IFA_F_*.
  public var flags: UInt32
  public var label: String?
  /// Lifetimes in seconds; UInt32.max is "forever".
  public var validLifetime: UInt32
  public var preferredLifetime: UInt32
}

extension RouteSocket {
  /// Equivalent to: `ip addr add CIDR dev LINK [brd +] [nodad]`. IPv4
  /// addresses get the prefix's broadcast address, as `ip addr add ... brd +`
  /// and the container tools set it. Throws KernelError.
  public func addAddress(_ cidr: CIDR, to link: LinkInfo, noDAD: Bool = false) throws {
    try addAddress(cidr, toIndex: link.index, name: link.name, noDAD: noDAD)
  }

  /// The same, for a link known by index (`name` is for messages).
  public func addAddress(_ cidr: CIDR, toIndex index: Int32, name: String, noDAD: Bool = false) throws {
    var request = addressRequest(cidr, index)
    if let broadcast = cidr.broadcast {
      fill(&request.broadcast, broadcast.bytes)
      request.has_broadcast = 1
    }
    if noDAD, cidr.family == .v6 { request.flags = ifaNoDAD }
    try change("add address", "\(cidr) to \"\(name)\"\(whereText)") { buf, size, seq in
      cnet_msg_addr(buf, size, seq, 1, &request)
    }
  }

  /// Equivalent to: `ip addr del CIDR dev LINK`.
  public func deleteAddress(_ cidr: CIDR, from link: LinkInfo) throws {
    var request = addressRequest(cidr, link.index)
    try change("delete address", "\(cidr) from \"\(link.name)\"\(whereText)") { buf, size, seq in
      cnet_msg_addr(buf, size, seq, 0, &request)
    }
  }

  /// Equivalent to: `ip addr show [dev LINK]`: every address of every link,
  /// or of one link.
  public func addresses(on link: LinkInfo? = nil) throws -> [AddressInfo] {
    let object = link.map { "of \"\($0.name)\"\(whereText)" } ?? String(whereText.dropFirst())
    return try dump("list addresses", object, { buf, size, seq in
      cnet_msg_addr_dump(buf, size, seq, UInt8(AF_UNSPEC), link?.index ?? 0)
    }, parse: parseAddress)
  }

  private func addressRequest(_ cidr: CIDR, _ index: Int32) -> cnet_addr {
    var request = cnet_addr()
    request.family = cidr.family == .v4 ? UInt8(AF_INET) : UInt8(AF_INET6)
    request.prefixlen = UInt8(cidr.prefixLength)
    request.ifindex = index
    fill(&request.local, cidr.address.bytes)
    return request
  }
}

private func parseAddress(_ message: UnsafeRawPointer) -> AddressInfo? {
  var info = cnet_addr_info()
  guard cnet_parse_addr(message, &info) == 0 else { return nil }
  let width = info.family == UInt8(AF_INET) ? 4 : info.family == UInt8(AF_INET6) ? 16 : 0
  guard width > 0, let address = IPAddress(bytes: bytes(info.address, count: width)),
    let cidr = try? CIDR(address: address, prefixLength: Int(info.prefixlen))
  else { return nil }
  return AddressInfo(
    linkIndex: info.ifindex,
    cidr: cidr,
    peer: info.has_peer != 0 ? IPAddress(bytes: bytes(info.peer, count: width)) : nil,
    broadcast: info.has_broadcast != 0 ? IPAddress(bytes: bytes(info.broadcast, count: width)) : nil,
    scope: info.scope,
    flags: info.flags,
    label: nonEmpty(cString(info.label)),
    validLifetime: info.valid_lft,
    preferredLifetime: info.preferred_lft)
}

/// Copies address bytes into a fixed-size C array (imported as a tuple).
func fill<T>(_ tuple: inout T, _ data: [UInt8]) {
  withUnsafeMutableBytes(of: &tuple) { buffer in
    for (i, b) in data.enumerated() where i < buffer.count { buffer[i] = b }
  }
}

/// IFA_F_NODAD (linux/if_addr.h, not in Glibc's module): skip duplicate
/// address detection, so an IPv6 address is usable at once.
let ifaNoDAD: UInt32 = 0x02
