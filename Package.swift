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
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
  ],
  targets: [
    // libmnl's header (Debian: libmnl-dev): the prototypes and macros of
    // the functions Sources/CShim/mnl.c compiles in. No pkgConfig: the
    // header is in the standard path.
    .systemLibrary(
      name: "CMnl",
      providers: [.apt(["libmnl-dev"])]),

    // Every libmnl call, netlink message build and parse, setns/unshare on
    // throwaway threads, and the exec path. Symbols are prefixed cnet_.
    // The libmnl functions it calls are compiled in (Sources/CShim/mnl.c
    // says why); no library is linked.
    .target(
      name: "CShim",
      dependencies: ["CMnl"],
      cSettings: [.define("_GNU_SOURCE")]),

    // The system's SQLite (Debian: libsqlite3-dev); no pkgConfig: its header
    // and libraries are in the standard paths.
    .systemLibrary(
      name: "CSQLite",
      providers: [.apt(["libsqlite3-dev"])]),

    // SQLite's allocator: size-classed free lists in place of glibc's
    // malloc (sqlite_memory.c says why).
    .target(
      name: "CSQLiteMemory",
      dependencies: ["CSQLite"]),

    // Value types and validation. No I/O.
    .target(name: "CnetCore"),

    // SQLite schema, migrations, typed records, transactions, the operation lock.
    .target(
      name: "CnetStore",
      dependencies: ["CnetCore", "CSQLite", "CSQLiteMemory"]),

    // Typed Linux networking: named namespaces with iproute2 semantics,
    // netlink sockets pinned to a namespace, links, addresses, routes.
    .target(
      name: "CnetKernel",
      dependencies: ["CnetCore", "CShim"]),

    // The Container Network Model: controller, drivers, IPAM, sandbox files.
    .target(
      name: "CnetEngine",
      dependencies: ["CnetCore", "CnetKernel", "CnetStore"]),

    // Docker's plugin protocol both ways: wire types, HTTP/1.1 over Unix
    // sockets (SwiftNIO), discovery, the server that maps dockerd's calls
    // onto the engine, and the remote driver and IPAM that call plugins.
    .target(
      name: "CnetPlugin",
      dependencies: [
        "CnetEngine", "CnetKernel", "CnetStore", "CnetCore",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
      ]),

    // The command tree.
    .target(
      name: "CnetCLI",
      dependencies: [
        "CnetEngine", "CnetKernel", "CnetCore", "CnetPlugin",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    // The static release binary's start-up in place of glibc's, without
    // its probe of the CPU's caches (Sources/CStart says why); empty unless
    // scripts/build-release defines CNET_STATIC_START.
    .target(name: "CStart"),

    .executableTarget(name: "cnet", dependencies: ["CnetCLI", "CStart"]),

    // Unit tests: no root, no kernel changes.
    .testTarget(name: "CnetCoreTests", dependencies: ["CnetCore"]),
    .target(name: "CnetTestSupport", path: "Tests/CnetTestSupport"),
    .testTarget(name: "CnetStoreTests", dependencies: ["CnetStore", "CnetCore", "CnetTestSupport", "CSQLite"]),
    .testTarget(name: "CnetEngineTests", dependencies: ["CnetEngine", "CnetStore", "CnetCore", "CnetTestSupport"]),
    .testTarget(name: "CnetKernelTests", dependencies: ["CnetKernel", "CShim", "CnetCore", "CnetTestSupport"]),
    .testTarget(name: "CnetPluginTests", dependencies: ["CnetPlugin", "CnetEngine", "CnetStore", "CnetCore", "CnetTestSupport", .product(name: "Logging", package: "swift-log")],
                exclude: ["Traces"]),
    .testTarget(
      name: "CnetCLITests",
      dependencies: ["CnetCLI", "CnetCore"]),

    // Root tests against the real kernel. They run only inside a throwaway
    // host (scripts/throwaway-host), which the test script sets up.
    .testTarget(
      name: "CnetKernelIntegrationTests",
      dependencies: ["CnetKernel", "CnetCore"]),
  ]
)
