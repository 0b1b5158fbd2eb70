import ArgumentParser
import CnetCore
import CnetEngine

struct Connect: FastPathed {
  static let configuration = CommandConfiguration(
    commandName: "connect",
    abstract: "Connect a sandbox to a network, creating what is missing.",
    discussion: """
      Creates the sandbox if needed (a new named namespace, or the namespace of \
      --pid linked under the sandbox's name; an existing namespace of that name \
      is adopted), an endpoint named after the sandbox, and joins them: one \
      command per container, as a runtime or script needs. A sandbox that comes \
      back gets the address its endpoint kept.

      Examples:
        cnet connect front web
        cnet connect front db --ip 10.88.0.10 --alias database
        cnet connect front box --pid 4242
      """)

  @Argument(help: "The network.")
  var network: String

  @Argument(help: "The sandbox (made if it does not exist).")
  var sandbox: String

  @OptionGroup var addresses: EndpointAddressOptions
  @OptionGroup var options: SandboxOptions

  var fastPath: FastPath { .connect(network: network, sandbox: sandbox, endpoint: addresses.request, options: options.request) }

  /// What the command runs (FastPath.run), parsed or not.
  static func perform(_ network: String, _ sandbox: String, endpoint: EndpointAddressRequest, options: SandboxRequest) throws {
    try Engine.connect(network, try options.spec(name: sandbox), try endpoint.spec(name: sandbox))
  }
}

struct Disconnect: FastPathed {
  static let configuration = CommandConfiguration(
    commandName: "disconnect",
    abstract: "Disconnect a sandbox from a network.",
    discussion: """
      Leaves and deletes the sandbox's endpoint on the network (its addresses go \
      back to the pool), and removes the sandbox when a join made it and this was \
      its last network: the namespace is deleted and the kernel reaps its \
      interfaces.
      """)

  @Argument(help: "The network.")
  var network: String

  @Argument(help: "The sandbox.")
  var sandbox: String

  var fastPath: FastPath { .disconnect(network: network, sandbox: sandbox) }
}
