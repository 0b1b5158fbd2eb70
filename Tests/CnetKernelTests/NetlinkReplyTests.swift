import CnetCore
import Testing

@testable import CnetKernel

#if canImport(Glibc)
import Glibc
#endif

/// How replies are read: acks, the kernel's errors with its own words,
/// replies that are not ours, dumps and their interruptions.
@Suite struct NetlinkReplyTests {
  let eth0 = LinkInfo(index: 3, name: "eth0", flags: 0, hardwareType: 1, mtu: 1500, master: 0, link: 0,
                      linkNetnsID: nil, operState: 0, address: [], broadcast: [], kind: nil, alias: nil)

  @Test func errorCarriesTheKernelsExplanation() throws {
    let fake = FakeTransport { request in
      [Reply.ack(to: request, error: -EEXIST, extack: "Address already assigned")]
    }
    let socket = RouteSocket(transport: fake, namespaceName: "web")
    do {
      try socket.addAddress(try CIDR("10.1.2.3/24"), to: eth0)
      Issue.record("expected an error")
    } catch let error as KernelError {
      #expect(error.code == EEXIST)
      #expect(error.kind == .alreadyExists)
      #expect(error.message == "cannot add address 10.1.2.3/24 to \"eth0\" in netns \"web\": File exists (kernel: Address already assigned)")
    }
  }

  @Test func positiveErrnoIsAcceptedToo() throws {
    // Some code paths (and iproute2's reader) see the errno with either sign.
    let fake = FakeTransport { request in [Reply.ack(to: request, error: ENODEV)] }
    #expect(throws: KernelError.self) {
      try RouteSocket(transport: fake).deleteLink(eth0)
    }
  }

  @Test func aReplyToAnotherRequestIsRefused() throws {
    let fake = FakeTransport { request in
      var other = request
      other[8] &+= 1  // a different sequence number
      return [Reply.ack(to: other)]
    }
    do {
      try RouteSocket(transport: fake).deleteLink(eth0)
      Issue.record("expected an error")
    } catch let error as KernelError {
      #expect(error.code == EPROTO)
    }
  }

  @Test func aReplyToAnotherPortIsRefused() throws {
    let fake = FakeTransport { request in
      [Reply.message(type: 2, seq: Reply.sequence(of: request), port: 99, payload: Reply.i32(0) + Array(request[0..<16]))]
    }
    do {
      try RouteSocket(transport: fake).deleteLink(eth0)
      Issue.record("expected an error")
    } catch let error as KernelError {
      #expect(error.code == ESRCH)
    }
  }

  @Test func truncatedDatagramIsRefused() throws {
    let fake = FakeTransport { request in [Array(Reply.ack(to: request).prefix(20))] }
    do {
      try RouteSocket(transport: fake).deleteLink(eth0)
      Issue.record("expected an error")
    } catch let error as KernelError {
      #expect(error.code == EBADMSG)
    }
  }

  @Test func dumpSpanningDatagramsIsReadToTheEnd() throws {
    let fake = FakeTransport { request in
      let seq = Reply.sequence(of: request)
      return [
        Reply.message(type: 16, flags: 2, seq: seq, payload: Parse.link(index: 1, name: "lo"))
          + Reply.message(type: 16, flags: 2, seq: seq, payload: Parse.link(index: 2, name: "eth0")),
        Reply.message(type: 16, flags: 2, seq: seq, payload: Parse.link(index: 3, name: "br0")),
        Reply.done(to: request),
      ]
    }
    let links = try RouteSocket(transport: fake).links()
    #expect(links.map(\.name) == ["lo", "eth0", "br0"])
  }

  @Test func interruptedDumpIsRepeated() throws {
    var attempt = 0
    let fake = FakeTransport { request in
      attempt += 1
      let seq = Reply.sequence(of: request)
      // The first dump is marked NLM_F_DUMP_INTR (0x10): a link changed meanwhile.
      let flags: UInt16 = attempt == 1 ? 0x12 : 0x2
      return [
        Reply.message(type: 16, flags: flags, seq: seq, payload: Parse.link(index: 1, name: attempt == 1 ? "old" : "new")),
        Reply.done(to: request),
      ]
    }
    let socket = RouteSocket(transport: fake)
    #expect(try socket.links().map(\.name) == ["new"])
    #expect(fake.requests.count == 2)
  }

  @Test func dumpEndingInAnErrorFails() throws {
    let fake = FakeTransport { request in [Reply.done(to: request, error: -EINVAL)] }
    #expect(throws: KernelError.self) { try RouteSocket(transport: fake).routes() }
  }

  @Test func sequenceNumbersAdvance() throws {
    let fake = FakeTransport()
    let socket = RouteSocket(transport: fake, firstSequence: 41)
    try socket.deleteLink(eth0)
    try socket.deleteLink(eth0)
    #expect(fake.requests.map(Reply.sequence) == [41, 42])
  }

  @Test func missingLinkIsNotFoundInIproute2Words() throws {
    let fake = FakeTransport { request in [Reply.ack(to: request, error: -ENODEV)] }
    do {
      _ = try RouteSocket(transport: fake).link(named: InterfaceName("eth9"))
      Issue.record("expected an error")
    } catch let error as KernelError {
      #expect(error.kind == .notFound)
      #expect(error.message == "cannot find device \"eth9\": No such device")
    }
  }
}
