import CShim
import CnetCore

#if canImport(Glibc)
import Glibc
#endif

/// The netfilter side of netlink (NETLINK_NETFILTER): the same session
/// machinery as rtnetlink, other messages.
extension RouteSocket {
  /// A netfilter socket in the namespace cnet runs in.
  public static func netfilter() throws -> RouteSocket {
    var nl: OpaquePointer?
    let rc = cnet_nl_open_netfilter(&nl)
    guard rc == 0, let nl else { throw KernelError("open netfilter socket", "", code: -rc) }
    return RouteSocket(transport: KernelTransport(adopting: nl))
  }

  /// Whether the nftables table exists (`nft list table`, without listing
  /// it: a probe cheap enough for every command). `family` is NFPROTO_*.
  public func nftablesTableExists(family: UInt8, name: String) throws -> Bool {
    let (outcome, _) = exchange { buf, size, seq in
      cnet_msg_nft_get_table(buf, size, seq, family, name)
    }
    switch outcome.code {
    case 0: return true
    case ENOENT: return false
    default:
      throw KernelError("look for nftables table", "\"\(name)\"", code: outcome.code, kernelMessage: outcome.message)
    }
  }

  /// Whether the nftables set (or map) exists in the table.
  public func nftablesSetExists(family: UInt8, table: String, set: String) throws -> Bool {
    let (outcome, _) = exchange { buf, size, seq in
      cnet_msg_nft_get_set(buf, size, seq, family, table, set)
    }
    switch outcome.code {
    case 0: return true
    case ENOENT: return false
    default:
      throw KernelError("look for nftables set", "\"\(set)\"", code: outcome.code, kernelMessage: outcome.message)
    }
  }

  /// Deletes the connection-tracking entries of `proto` whose original
  /// destination port is in `ports` (`conntrack -D -p udp --dport N`, for
  /// every N): a UDP flow keeps the translation it began with, so entries
  /// made before a port was published (or unpublished) would keep sending
  /// its packets the old way. Returns how many went.
  @discardableResult
  public func flushConntrack(_ proto: PortProtocol, ports: ClosedRange<UInt16>) throws -> Int {
    var flushed = 0
    for family in [UInt8(AF_INET), UInt8(AF_INET6)] {
      let entries = try dump("list connection tracking entries", "", { buf, size, seq in
        cnet_msg_ct_dump(buf, size, seq, family)
      }) { message -> cnet_ct? in
        var entry = cnet_ct()
        guard cnet_parse_ct(message, &entry) == 0, entry.tuple_len > 0 else { return nil }
        return entry
      }
      for var entry in entries where entry.l4proto == proto.number && ports.contains(entry.dst_port) {
        let (outcome, _) = exchange { buf, size, seq in cnet_msg_ct_delete(buf, size, seq, &entry) }
        // Gone meanwhile (it expired, or its flow ended) is as good as deleted.
        if outcome.code == 0 { flushed += 1 } else if outcome.code != ENOENT {
          throw KernelError("delete connection tracking entry", "for port \(entry.dst_port)", code: outcome.code,
                            kernelMessage: outcome.message)
        }
      }
    }
    return flushed
  }
}
