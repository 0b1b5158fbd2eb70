import CnetCore
import Testing

@testable import CnetKernel

/// cnet's accepts beside another tool's forward policy: the rules as
/// `iptables -S` prints them, reading a listing, and deciding what is in
/// place. (That iptables and the kernel take them is the bats scenarios'
/// and the integration tests' part.)
@Suite struct ForwardAcceptsTests {
  func network(_ name: String = "lab", sealed: Bool = false) throws -> ForwardNetwork {
    ForwardNetwork(name: name, id: "0123456789abcdef" + name, bridge: try InterfaceName("br-" + name), isInternal: sealed,
                   families: [.v4])
  }

  @Test func theRulesOfANetwork() throws {
    let comment = ["-m", "comment", "--comment", "cnet:lab:0123456789ab"]
    #expect(ForwardAccepts.rules(for: try network()) == [
      ["-i", "br-lab", "-o", "br-lab"] + comment + ["-j", "ACCEPT"],
      ["-i", "br-lab", "!", "-o", "br-lab"] + comment + ["-j", "ACCEPT"],
      ["-o", "br-lab", "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED"] + comment + ["-j", "ACCEPT"],
      ["-o", "br-lab", "-m", "conntrack", "--ctstate", "DNAT"] + comment + ["-j", "ACCEPT"],
    ])
    // Nothing leaves an internal network, and nothing comes in.
    #expect(ForwardAccepts.rules(for: try network("sealed", sealed: true)).count == 1)
  }

  /// What iptables-nft 1.8.9 prints with Docker's chains and cnet's rules.
  static let dockerListing = """
    -P INPUT ACCEPT
    -P FORWARD DROP
    -P OUTPUT ACCEPT
    -N DOCKER
    -N DOCKER-USER
    -A FORWARD -j DOCKER-USER
    -A FORWARD -o docker0 -j DOCKER
    -A DOCKER-USER -i br-lab -o br-lab -m comment --comment "cnet:lab:0123456789ab" -j ACCEPT
    -A DOCKER-USER -i br-lab ! -o br-lab -m comment --comment "cnet:lab:0123456789ab" -j ACCEPT
    -A DOCKER-USER -o br-lab -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "cnet:lab:0123456789ab" -j ACCEPT
    -A DOCKER-USER -o br-lab -m conntrack --ctstate DNAT -m comment --comment "cnet:lab:0123456789ab" -j ACCEPT
    -A DOCKER-USER -i br-old -o br-old -m comment --comment "cnet:old:feedfeedfeed" -j ACCEPT
    -A DOCKER-USER -j RETURN

    """

  @Test func aListingReadBack() throws {
    let listing = try IPTables.Listing(Self.dockerListing)
    #expect(listing.policies["FORWARD"] == "DROP")
    #expect(listing.chains == ["DOCKER", "DOCKER-USER"])
    let cnets = listing.rules.filter(\.isCnets)
    #expect(cnets.count == 5)
    // The words read back are the words written: that is how a rule is
    // found to be in place, and deleted.
    #expect(Array(cnets.prefix(4).map(\.words)) == ForwardAccepts.rules(for: try network()))
    #expect(listing.rules.first { $0.chain == "FORWARD" }?.jumps(to: "DOCKER-USER") == true)
  }

  @Test func placementFollowsTheTable() throws {
    var view = ForwardAccepts.View(family: .v4)
    #expect(view.placement == .none)
    view.forwardDrops = true
    #expect(view.placement == .ownChain)
    view.hasDockerChain = true
    #expect(view.placement == .dockerUser)
    view.forwardDrops = false
    #expect(view.placement == .dockerUser, "DOCKER-USER decides, whatever the policy")
  }

  @Test func inPlaceMissingAndStrays() throws {
    let lab = try network()
    let view = try IPTables.Listing(Self.dockerListing).view(.v4)
    #expect(view.placement == .dockerUser)
    #expect(!view.isInPlace(for: [lab]), "a stray of a gone network is not in place")
    #expect(view.missing(for: [lab]).isEmpty)
    #expect(view.strays(for: [lab]) == ["cnet:old:feedfeedfeed"])
    let other = try network("web")
    #expect(view.missing(for: [lab, other]) == [other])

    var exact = view
    exact.comments["DOCKER-USER"] = Array(repeating: lab.comment, count: 4)
    #expect(exact.isInPlace(for: [lab]))
    #expect(!exact.isInPlace(for: []))
    // cnet's own chain beside DOCKER-USER is left over.
    exact.hasOwnChain = true
    #expect(!exact.isInPlace(for: [lab]))

    var own = ForwardAccepts.View(family: .v4, hasTable: true, forwardDrops: true)
    #expect(own.isInPlace(for: []))
    #expect(!own.isInPlace(for: [lab]))
    own.hasOwnChain = true
    own.comments["CNET-FORWARD"] = Array(repeating: lab.comment, count: 4)
    #expect(!own.isInPlace(for: [lab]), "unreached without a jump from FORWARD")
    #expect(own.missing(for: [lab]) == [lab])
    own.jumpsToOwnChain = true
    #expect(own.isInPlace(for: [lab]))
    #expect(!own.isInPlace(for: []), "no network, no chain")
  }
}
