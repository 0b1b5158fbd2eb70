import Testing

@testable import CnetCore

/// KernelPlan.folded: a MAC or MTU set on a link the same plan creates
/// goes into the creation; nothing else moves.
struct KernelPlanTests {
  let host = try! InterfaceName("cv0123")
  let peer = try! InterfaceName("eth0")
  let mac = try! MACAddress.unicast("02:42:0a:00:00:02")

  var pair: PlanStep {
    .createLink(LinkPlan(name: host, place: .host, kind: .veth(peer: PeerPlan(name: peer, place: .sandbox))))
  }

  @Test func aPeersMacGoesIntoTheCreation() {
    let plan = KernelPlan([
      pair,
      .setLink(peer, .sandbox, LinkSettings(ipv6AutoAddresses: false, mac: mac)),
      .setLink(peer, .sandbox, LinkSettings(up: true)),
    ]).folded()
    #expect(plan.steps == [
      .createLink(LinkPlan(name: host, place: .host, kind: .veth(peer: PeerPlan(name: peer, place: .sandbox, mac: mac)))),
      .setLink(peer, .sandbox, LinkSettings(ipv6AutoAddresses: false)),
      .setLink(peer, .sandbox, LinkSettings(up: true)),
    ])
  }

  @Test func aSettingLeftEmptyGoes() {
    let plan = KernelPlan([pair, .setLink(host, .host, LinkSettings(mtu: 1400))]).folded()
    #expect(plan.steps == [
      .createLink(LinkPlan(name: host, place: .host, kind: .veth(peer: PeerPlan(name: peer, place: .sandbox)), mtu: 1400))
    ])
  }

  @Test func aLinkOfTheSameNameElsewhereIsNotTheOneCreated() {
    let steps: [PlanStep] = [pair, .setLink(peer, .host, LinkSettings(mac: mac))]
    #expect(KernelPlan(steps).folded().steps == steps)
  }

  @Test func aSettingBeforeTheCreationStays() {
    let steps: [PlanStep] = [.setLink(peer, .sandbox, LinkSettings(mac: mac)), pair]
    #expect(KernelPlan(steps).folded().steps == steps)
  }
}
