// swift-tools-version:6.0
//
// cnet: a command-line container network manager for Linux.
// The target graph mirrors DESIGN §3: imports point down only, and only
// CShim touches libmnl and the namespace system calls.
import PackageDescription

let package = Package(
  name: "cnet",
  products: [
    .executable(name: "cnet", targets: ["cnet"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
  ],
  targets: [
    // libmnl (Debian: libmnl-dev to build, libmnl0 to run), linked as
    // Debian ships it. No pkgConfig: the header and the library are in the
    // standard paths.
    .systemLibrary(
      name: "CMnl",
      providers: [.apt(["libmnl-dev"])]),

    // Every libmnl call, netlink message build and parse, setns/unshare on
    // throwaway threads, and the exec path, over libmnl. Symbols are
    // prefixed cnet_.
    .target(
      name: "CShim",
      dependencies: ["CMnl"],
      cSettings: [.define("_GNU_SOURCE")],
      linkerSettings: [.linkedLibrary("mnl")]),

    // The system's SQLite (Debian: libsqlite3-dev); no pkgConfig: its header
    // and libraries are in the standard paths.
    .systemLibrary(
      name: "CSQLite",
      providers: [.apt(["libsqlite3-dev"])]),

    // Value types and validation. No I/O.
    .target(name: "CnetCore"),

    // SQLite schema, migrations, typed records, transactions, the operation lock.
    .target(
      name: "CnetStore",
      dependencies: ["CnetCore", "CSQLite"]),

    // Typed Linux networking: named namespaces with iproute2 semantics,
    // netlink sockets pinned to a namespace, links, addresses, routes.
    .target(
      name: "CnetKernel",
      dependencies: ["CnetCore", "CShim"]),

    // The Container Network Model: controller, drivers, IPAM, sandbox files.
    .target(
      name: "CnetEngine",
      dependencies: ["CnetCore", "CnetKernel", "CnetStore"]),

    // HTTP/1.1 over blocking Unix and TCP sockets with poll deadlines: the
    // plugin protocol's and etcd's JSON gateway's transport.
    .target(
      name: "CnetHTTP",
      dependencies: ["CnetCore", "CShim"]),

    // Docker's plugin protocol both ways: wire types, discovery, the server
    // (a thread per connection) that maps dockerd's calls onto the engine,
    // and the remote driver and IPAM that call plugins.
    .target(
      name: "CnetPlugin",
      dependencies: [
        "CnetEngine", "CnetKernel", "CnetStore", "CnetCore", "CnetHTTP",
        .product(name: "Logging", package: "swift-log"),
      ]),

    // Hosts that share overlay networks: the etcd v3 client (EtcdClient,
    // over etcd's JSON gateway), the cluster's key layout, membership and
    // leases, the global IPAM, the overlay driver and the agent's
    // list-watch-reconcile loop.
    .target(
      name: "CnetCluster",
      dependencies: ["CnetEngine", "CnetKernel", "CnetStore", "CnetCore", "CnetHTTP"]),

    // The CNI protocol's wire: the request's variables and configuration,
    // results in each version, error objects. No I/O.
    .target(
      name: "CnetCNI",
      dependencies: ["CnetCore"]),

    // The command tree.
    .target(
      name: "CnetCLI",
      dependencies: [
        "CnetEngine", "CnetKernel", "CnetStore", "CnetCore", "CnetPlugin", "CnetCluster", "CnetCNI",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]),

    .executableTarget(name: "cnet", dependencies: ["CnetCLI"]),

    // Unit tests: no root, no kernel changes.
    .testTarget(name: "CnetCoreTests", dependencies: ["CnetCore"]),
    .target(name: "CnetTestSupport", path: "Tests/CnetTestSupport"),
    .testTarget(name: "CnetStoreTests", dependencies: ["CnetStore", "CnetCore", "CnetTestSupport", "CSQLite"]),
    .testTarget(name: "CnetEngineTests", dependencies: ["CnetEngine", "CnetStore", "CnetCore", "CnetTestSupport"]),
    .testTarget(name: "CnetKernelTests", dependencies: ["CnetKernel", "CShim", "CnetCore", "CnetTestSupport"]),
    .testTarget(name: "CnetPluginTests", dependencies: ["CnetPlugin", "CnetEngine", "CnetStore", "CnetCore", "CnetTestSupport", .product(name: "Logging", package: "swift-log")],
                exclude: ["Traces"]),
    .testTarget(name: "CnetCNITests", dependencies: ["CnetCNI", "CnetCore"]),
    .testTarget(
      name: "CnetCLITests",
      dependencies: ["CnetCLI", "CnetCore"]),

    // Root tests against the real kernel. They run only inside a throwaway
    // host (scripts/throwaway-host), which the test script sets up.
    .testTarget(
      name: "CnetKernelIntegrationTests",
      dependencies: ["CnetKernel", "CnetCore"]),
    // ... and against a real etcd, which they start themselves.
    .testTarget(
      name: "CnetClusterIntegrationTests",
      dependencies: ["CnetCluster", "CnetEngine", "CnetHTTP", "CnetCore"]),
  ]
)
