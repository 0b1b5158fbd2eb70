import CnetCore
import CnetStore

/// `host`: the sandbox is the host's own namespace; joining makes nothing.
public final class HostDriver: NetworkDriver {
  public let name = "host"
  public let sandboxNamespace = SandboxNamespace.host

  public init() {}

  public func checkOptions(_ options: [KeyValue]) throws {
    if let option = options.first {
      throw CnetError(.invalidArgument, "unknown option \"\(option.key)\": the host driver takes no options")
    }
  }

  public func prepare(_ network: inout NetworkRecord, others: [NetworkRecord], kernel: KernelContext) throws {}
  public func createNetwork(_ network: NetworkRecord, kernel: KernelContext) throws {}
  public func deleteNetwork(_ network: NetworkRecord, kernel: KernelContext) throws {}
  public func createEndpoint(_ endpoint: inout EndpointRecord, network: NetworkRecord) throws {}
  public func deleteEndpoint(_ endpoint: EndpointRecord, network: NetworkRecord) throws {}
  public let publishesPorts = false
  public let assignsAddresses = false
  public func programExternalConnectivity(_ endpoint: EndpointRecord, network: NetworkRecord, kernel: KernelContext) throws {}
  public func revokeExternalConnectivity(_ endpoint: EndpointRecord, network: NetworkRecord, kernel: KernelContext) throws {}
  public func hostInterface(for endpoint: EndpointRecord) -> String? { nil }
  public func join(_ endpoint: EndpointRecord, network: NetworkRecord, sandbox: SandboxContext, interface: String,
                   kernel: KernelContext) throws {}
  public func leave(_ endpoint: EndpointRecord, network: NetworkRecord, sandbox: SandboxContext?, sandboxGoing: Bool,
                    kernel: KernelContext) throws {}
}

/// `null`: the sandbox has a namespace of its own with only `lo`.
public final class NullDriver: NetworkDriver {
  public let name = "null"
  public let sandboxNamespace = SandboxNamespace.own

  public init() {}

  public func checkOptions(_ options: [KeyValue]) throws {
    if let option = options.first {
      throw CnetError(.invalidArgument, "unknown option \"\(option.key)\": the null driver takes no options")
    }
  }

  public func prepare(_ network: inout NetworkRecord, others: [NetworkRecord], kernel: KernelContext) throws {}
  public func createNetwork(_ network: NetworkRecord, kernel: KernelContext) throws {}
  public func deleteNetwork(_ network: NetworkRecord, kernel: KernelContext) throws {}
  public func createEndpoint(_ endpoint: inout EndpointRecord, network: NetworkRecord) throws {}
  public func deleteEndpoint(_ endpoint: EndpointRecord, network: NetworkRecord) throws {}
  public let publishesPorts = false
  public let assignsAddresses = false
  public func programExternalConnectivity(_ endpoint: EndpointRecord, network: NetworkRecord, kernel: KernelContext) throws {}
  public func revokeExternalConnectivity(_ endpoint: EndpointRecord, network: NetworkRecord, kernel: KernelContext) throws {}
  public func hostInterface(for endpoint: EndpointRecord) -> String? { nil }
  public func join(_ endpoint: EndpointRecord, network: NetworkRecord, sandbox: SandboxContext, interface: String,
                   kernel: KernelContext) throws {}
  public func leave(_ endpoint: EndpointRecord, network: NetworkRecord, sandbox: SandboxContext?, sandboxGoing: Bool,
                    kernel: KernelContext) throws {}
}
