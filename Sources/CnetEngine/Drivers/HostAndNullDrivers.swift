import CnetCore

/// `host`: the sandbox is the host's own namespace; joining makes nothing.
public final class HostDriver: MakesNothing {
  public let name = "host"
  public let sandboxNamespace = SandboxNamespace.host

  public init() {}

  public func checkOptions(_ options: [KeyValue]) throws {
    if let option = options.first {
      throw CnetError(.invalidArgument, "unknown option \"\(option.key)\": the host driver takes no options")
    }
  }

  public let publishesPorts = false
  public let assignsAddresses = false
}

/// `null`: the sandbox has a namespace of its own with only `lo`.
public final class NullDriver: MakesNothing {
  public let name = "null"
  public let sandboxNamespace = SandboxNamespace.own

  public init() {}

  public func checkOptions(_ options: [KeyValue]) throws {
    if let option = options.first {
      throw CnetError(.invalidArgument, "unknown option \"\(option.key)\": the null driver takes no options")
    }
  }

  public let publishesPorts = false
  public let assignsAddresses = false
}

/// The verbs of a driver that makes nothing in the kernel (host, null).
protocol MakesNothing: NetworkDriver {}

extension MakesNothing {
  public func prepare(_ network: NetworkInfo, others: [NetworkInfo], links: LinkLookup) throws -> NetworkChoices {
    NetworkChoices()
  }
  public func createNetwork(_ network: NetworkInfo) throws -> KernelPlan { KernelPlan() }
  public func deleteNetwork(_ network: NetworkInfo) throws -> KernelPlan { KernelPlan() }
  public func createEndpoint(_ endpoint: EndpointInfo, network: NetworkInfo) throws -> String? { nil }
  public func deleteEndpoint(_ endpoint: EndpointInfo, network: NetworkInfo) throws {}
  public func hostInterface(endpointID: String) -> String? { nil }
  public func join(_ join: JoinInfo, network: NetworkInfo) throws -> KernelPlan { KernelPlan() }
  public func programExternalConnectivity(_ endpoint: EndpointInfo, network: NetworkInfo) throws -> KernelPlan { KernelPlan() }
  public func revokeExternalConnectivity(_ endpoint: EndpointInfo, network: NetworkInfo) throws -> KernelPlan { KernelPlan() }
  public func leave(_ endpoint: EndpointInfo, network: NetworkInfo, sandboxPresent: Bool, sandboxGoing: Bool) throws
    -> KernelPlan
  { KernelPlan() }
}
