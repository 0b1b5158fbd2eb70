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

  /// Every nftables table of every family (`nft list tables`), with the
  /// handle the kernel numbered it with when it was made.
  public func nftablesTables() throws -> [NftablesTable] {
    try dump("list nftables tables", "", { buf, size, seq in cnet_msg_nft_dump_tables(buf, size, seq) }) { message in
      var table = cnet_nft_table()
      guard cnet_parse_nft_table(message, &table) == 0 else { return nil }
      return NftablesTable(family: table.family, name: cString(table.name), handle: table.handle)
    }
  }

  /// The chains of one table, with their policies.
  public func nftablesChains(family: UInt8, table: String) throws -> [NftablesChain] {
    try dump("list nftables chains of", "\"\(table)\"", { buf, size, seq in
      cnet_msg_nft_dump_chains(buf, size, seq, family, table)
    }) { message in
      var chain = cnet_nft_chain()
      guard cnet_parse_nft_chain(message, &chain) == 0, cString(chain.table) == table else { return nil }
      return NftablesChain(name: cString(chain.name), policy: chain.policy < 0 ? nil : chain.policy, use: chain.use)
    }
  }

  /// The comments of a chain's rules, in order (rules without one are left
  /// out), as iptables-nft (`-m comment --comment`) or nft wrote them.
  public func nftablesRuleComments(family: UInt8, table: String, chain: String) throws -> [String] {
    try dump("list nftables rules of chain", "\"\(chain)\"", { buf, size, seq in
      cnet_msg_nft_dump_rules(buf, size, seq, family, table, chain)
    }) { message in
      var chainName = [CChar](repeating: 0, count: 256)
      var comment = [CChar](repeating: 0, count: 257)
      let found = cnet_parse_nft_rule_comment(message, &chainName, chainName.count, &comment, comment.count)
      func text(_ c: [CChar]) -> String {
        String(decoding: c.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      }
      guard found == 1, text(chainName) == chain else { return nil }
      return text(comment)
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

/// An nftables table of any owner.
public struct NftablesTable: Sendable, Equatable {
  /// NFPROTO_*.
  public var family: UInt8
  public var name: String
  /// Numbered by the kernel when the table was made: a table its owner
  /// deleted and made again (firewalld's, at its reload) has a new one.
  public var handle: UInt64
}

/// An nftables chain.
public struct NftablesChain: Sendable, Equatable {
  public var name: String
  /// A base chain's policy (NF_DROP 0, NF_ACCEPT 1); nil for a regular chain.
  public var policy: Int32?
  /// How many references it has: the rules that jump to it, for a regular chain.
  public var use: UInt32

  public var drops: Bool { policy == 0 }
}
