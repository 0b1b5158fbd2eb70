import CnetCore
import Testing

@testable import CnetCNI

/// The CNI protocol as runtimes speak it: the variables, the configuration
/// (with what podman and libcni add to it), results in each version and
/// error objects. No root, no kernel.
@Suite struct CNIWireTests {
  func environment(_ pairs: [String: String]) throws(CNIError) -> CNIEnvironment {
    try CNIEnvironment { pairs[$0] }
  }

  func config(_ text: String) throws(CNIError) -> CNIConfig {
    try CNIConfig.parse(Array(text.utf8))
  }

  func code(_ body: () throws -> Void) -> Int? {
    do {
      try body()
      return nil
    } catch let error as CNIError {
      return error.code
    } catch {
      return -1
    }
  }

  @Test func versionsAndTheirOrder() {
    #expect(CNIVersion.supported == ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"])
    #expect(CNIVersion.atLeast("1.1.0", "1.1.0"))
    #expect(CNIVersion.atLeast("1.0.0", "0.4.0"))
    #expect(!CNIVersion.atLeast("0.3.1", "0.4.0"))
    #expect(!CNIVersion.atLeast("0.10", "0.4.0"))
    #expect(!CNIVersion.atLeast("x.y.z", "0.3.0"))
    #expect(CNIVersion.resultsCarryIPVersion("0.4.0"))
    #expect(!CNIVersion.resultsCarryIPVersion("1.0.0"))
  }

  @Test func versionIsAnsweredWhateverTheEnvironment() throws {
    // podman: "dummy" in each variable, stdin {"cniVersion":"1.0.0"}.
    let env = try environment(["CNI_COMMAND": "VERSION", "CNI_NETNS": "dummy", "CNI_IFNAME": "dummy", "CNI_PATH": "dummy"])
    #expect(env.command == .version)
    #expect(CNIConfig.answerVersion(Array(#"{"cniVersion":"1.0.0"}"#.utf8)) == "1.0.0")
    #expect(CNIConfig.answerVersion(Array(#"{"cniVersion":"0.3.1"}"#.utf8)) == "0.3.1")
    // No stdin, garbage, or a version cnet does not speak: the newest.
    #expect(CNIConfig.answerVersion([]) == "1.1.0")
    #expect(CNIConfig.answerVersion(Array("{".utf8)) == "1.1.0")
    #expect(CNIConfig.answerVersion(Array(#"{"cniVersion":"0.2.0"}"#.utf8)) == "1.1.0")
  }

  @Test func environmentNeedsWhatTheCommandNeeds() {
    let full = ["CNI_CONTAINERID": "c1", "CNI_NETNS": "/run/netns/c1", "CNI_IFNAME": "eth0"]
    #expect(code { _ = try environment([:]) } == CNIError.invalidEnvironment)
    #expect(code { _ = try environment(["CNI_COMMAND": "ADDD"]) } == CNIError.invalidEnvironment)
    #expect(code { _ = try environment(full.merging(["CNI_COMMAND": "ADD"]) { $1 }) } == nil)
    for missing in full.keys {
      var pairs = full
      pairs[missing] = nil
      pairs["CNI_COMMAND"] = "ADD"
      #expect(code { _ = try environment(pairs) } == CNIError.invalidEnvironment, "ADD without \(missing)")
      pairs["CNI_COMMAND"] = "CHECK"
      #expect(code { _ = try environment(pairs) } == CNIError.invalidEnvironment, "CHECK without \(missing)")
    }
    // DEL: the namespace may be gone; an empty variable counts as unset.
    #expect(code { _ = try environment(["CNI_COMMAND": "DEL", "CNI_CONTAINERID": "c1", "CNI_IFNAME": "eth0"]) } == nil)
    #expect(code { _ = try environment(["CNI_COMMAND": "DEL", "CNI_CONTAINERID": "", "CNI_IFNAME": "eth0"]) }
      == CNIError.invalidEnvironment)
    // STATUS and GC come with no attachment (libcni sends empty ones).
    for command in ["STATUS", "GC"] {
      #expect(code { _ = try environment(["CNI_COMMAND": command, "CNI_CONTAINERID": "", "CNI_NETNS": ""]) } == nil)
    }
  }

  @Test func cniArgsAsPodmanSendsThem() throws {
    let env = try environment([
      "CNI_COMMAND": "ADD", "CNI_CONTAINERID": "c1", "CNI_NETNS": "/run/netns/c1", "CNI_IFNAME": "eth0",
      "CNI_ARGS": "IgnoreUnknown=1;K8S_POD_NAME=web;MAC=02:00:00:00:00:01;IP=10.97.0.50",
    ])
    #expect(env.arg("K8S_POD_NAME") == "web")
    #expect(env.arg("IP") == "10.97.0.50")
    #expect(env.arg("MAC") == "02:00:00:00:00:01")
    #expect(env.arg("K8S_POD_NAMESPACE") == nil)
    let full = ["CNI_CONTAINERID": "c", "CNI_NETNS": "/run/netns/c", "CNI_IFNAME": "e", "CNI_ARGS": "IgnoreUnknown"]
    #expect(code { _ = try environment(full.merging(["CNI_COMMAND": "ADD"]) { $1 }) } == CNIError.invalidEnvironment)
    // DEL needs none of it, and VERSION reads nothing: neither fails on it.
    #expect(code { _ = try environment(full.merging(["CNI_COMMAND": "DEL"]) { $1 }) } == nil)
    #expect(code { _ = try environment(full.merging(["CNI_COMMAND": "VERSION"]) { $1 }) } == nil)
  }

  @Test func attachmentVariablesAreChecked() {
    let good = ["CNI_COMMAND": "ADD", "CNI_CONTAINERID": "c1", "CNI_NETNS": "/run/netns/c1", "CNI_IFNAME": "eth0"]
    let bad = [
      ("CNI_CONTAINERID", "-c1"), ("CNI_CONTAINERID", "c 1"), ("CNI_CONTAINERID", String(repeating: "a", count: 1025)),
      ("CNI_IFNAME", "a/b"), ("CNI_IFNAME", "sixteen-bytes-xx"), ("CNI_NETNS", "run/netns/c1"),
    ]
    for (key, value) in bad {
      #expect(code { _ = try environment(good.merging([key: value]) { $1 }) } == CNIError.invalidEnvironment, "\(key)=\(value)")
    }
    // podman's ids: 64 hex digits.
    #expect(code { _ = try environment(good.merging(["CNI_CONTAINERID": String(repeating: "ab", count: 32)]) { $1 }) } == nil)
  }

  @Test func teardownsReadOnlyWhatTheyNeed() throws {
    // A DEL whose runtimeConfig, prevResult or subnet cnet could not use
    // still reads: the teardown must go on.
    let text = """
      {"cniVersion":"1.0.0","name":"podnet","type":"cnet","subnet":"nonsense",
       "runtimeConfig":{"portMappings":[{"hostPort":0,"containerPort":80,"protocol":"sctp"}]},
       "prevResult":{"ips":[{"address":"bad"}]}}
      """
    #expect(code { _ = try config(text) } == CNIError.invalidConfiguration)
    let lenient = try CNIConfig.parse(Array(text.utf8), lenient: true)
    #expect(lenient.cniVersion == "1.0.0")
    #expect(lenient.name == "podnet")
    #expect(lenient.network == "podnet")
    #expect(lenient.portMappings.isEmpty)
    // GC's list is GC's to read.
    #expect(code { _ = try CNIConfig.parse(Array(#"{"cniVersion":"1.1.0","cni.dev/attachments":{}}"#.utf8), lenient: true) }
      == CNIError.invalidConfiguration)
  }

  @Test func configurationWithWhatRuntimesAdd() throws {
    // As libcni 1.1 hands it over: capabilities passed through, runtimeConfig
    // with podman's doubled ips, unknown fields ignored.
    let parsed = try config("""
      {"cniVersion":"1.0.0","name":"podnet","type":"cnet","network":"front","subnet":"10.97.0.0/24",
       "gateway":"10.97.0.1","capabilities":{"portMappings":true,"ips":true},"somethingElse":[1,{"x":null}],
       "runtimeConfig":{"ips":["10.97.0.50","10.97.0.50/24"],"mac":"02:00:00:00:00:01",
         "portMappings":[{"hostPort":8081,"containerPort":80,"protocol":"tcp"},{"hostPort":53,"containerPort":53,"protocol":"UDP","hostIP":"127.0.0.1"}]},
       "dns":{"nameservers":["10.97.0.1"]}}
      """)
    #expect(parsed.cniVersion == "1.0.0")
    #expect(parsed.name == "podnet")
    #expect(parsed.network == "front")
    #expect(parsed.subnet?.description == "10.97.0.0/24")
    #expect(parsed.gateway?.description == "10.97.0.1")
    #expect(parsed.ips.map(\.description) == ["10.97.0.50"])
    #expect(parsed.mac?.description == "02:00:00:00:00:01")
    #expect(parsed.portMappings.map(\.description) == ["8081:80/tcp", "127.0.0.1:53:53/udp"])
    #expect(parsed.dns?["nameservers"] == .array([.string("10.97.0.1")]))
    #expect(parsed.validAttachments == nil)
    // The network is the configuration's name when "network" is missing.
    #expect(try config(#"{"cniVersion":"0.4.0","name":"podnet","type":"cnet"}"#).network == "podnet")
    // A missing version is 0.1.0, which cnet does not speak.
    #expect(try config(#"{"name":"x"}"#).cniVersion == "0.1.0")
  }

  @Test func configurationErrorsHaveTheirCodes() {
    #expect(code { _ = try config("") } == CNIError.decodingFailure)
    #expect(code { _ = try config("{\"cniVersion\":") } == CNIError.decodingFailure)
    #expect(code { _ = try config("[1]") } == CNIError.decodingFailure)
    let invalid = [
      #"{"cniVersion":1}"#,
      #"{"cniVersion":"1.0.0","subnet":"10.0.0.1/33"}"#,
      #"{"cniVersion":"1.0.0","subnet":"10.0.0.1/24"}"#,
      #"{"cniVersion":"1.0.0","gateway":"ten"}"#,
      #"{"cniVersion":"1.0.0","runtimeConfig":[]}"#,
      #"{"cniVersion":"1.0.0","runtimeConfig":{"ips":["nope"]}}"#,
      #"{"cniVersion":"1.0.0","runtimeConfig":{"mac":"01:00:00:00:00:01"}}"#,
      #"{"cniVersion":"1.0.0","runtimeConfig":{"portMappings":[{"hostPort":0,"containerPort":80}]}}"#,
      #"{"cniVersion":"1.0.0","runtimeConfig":{"portMappings":[{"hostPort":80,"containerPort":70000}]}}"#,
      #"{"cniVersion":"1.0.0","runtimeConfig":{"portMappings":[{"hostPort":80,"containerPort":80,"protocol":"sctp"}]}}"#,
      #"{"cniVersion":"1.0.0","cni.dev/valid-attachments":{}}"#,
      #"{"cniVersion":"1.0.0","cni.dev/valid-attachments":[{"containerID":"c1"}]}"#,
      #"{"cniVersion":"1.0.0","prevResult":{"ips":[{"address":"10.0.0.300/24"}]}}"#,
    ]
    for text in invalid {
      #expect(code { _ = try config(text) } == CNIError.invalidConfiguration, "\(text)")
    }
  }

  @Test func garbageCollectionKeys() throws {
    // Both names (libcni sends both); absent: nil, which removes nothing.
    let both = try config("""
      {"cniVersion":"1.1.0","name":"n","cni.dev/valid-attachments":[{"containerID":"a","ifname":"eth0"}],
       "cni.dev/attachments":[{"containerID":"b","ifname":"eth1"}]}
      """)
    #expect(both.validAttachments == [CNIAttachmentKey(containerID: "a", interface: "eth0"),
                                      CNIAttachmentKey(containerID: "b", interface: "eth1")])
    let old = try config(#"{"cniVersion":"1.1.0","cni.dev/attachments":[]}"#)
    #expect(old.validAttachments == [])
    #expect(try config(#"{"cniVersion":"1.1.0"}"#).validAttachments == nil)
  }

  func sampleResult() throws -> CNIResult {
    var result = CNIResult()
    result.interfaces = [.init(name: "cnet-1", mac: "02:00:00:00:00:aa"), .init(name: "cv1"),
                         .init(name: "eth0", mac: "02:42:0a:63:00:02", sandbox: "/run/netns/c1")]
    result.ips = [.init(address: try CIDR("10.99.0.2/24"), gateway: IPAddress("10.99.0.1"), interface: 2)]
    result.routes = [.init(destination: .any(.v4), gateway: IPAddress("10.99.0.1"))]
    return result
  }

  @Test func resultsInTheRequestsVersion() throws {
    let result = try sampleResult()
    #expect(result.json(version: "1.0.0").compact == """
      {"cniVersion":"1.0.0","interfaces":[{"name":"cnet-1","mac":"02:00:00:00:00:aa"},{"name":"cv1"},\
      {"name":"eth0","mac":"02:42:0a:63:00:02","sandbox":"/run/netns/c1"}],\
      "ips":[{"interface":2,"address":"10.99.0.2/24","gateway":"10.99.0.1"}],\
      "routes":[{"dst":"0.0.0.0/0","gw":"10.99.0.1"}],"dns":{}}
      """)
    for version in ["0.3.0", "0.3.1", "0.4.0"] {
      let json = result.json(version: version)
      #expect(json["cniVersion"] == .string(version))
      #expect(json["ips"]?.array?.first?["version"] == .string("4"))
    }
    #expect(result.json(version: "1.1.0")["ips"]?.array?.first?["version"] == nil)
  }

  @Test func previousResultsOfAnyVersionReadBack() throws {
    let result = try sampleResult()
    for version in CNIVersion.supported {
      #expect(try CNIResult.parse(result.json(version: version)) == result, "\(version)")
    }
    // Another plugin's result first: cnet's interfaces come after it.
    var previous = CNIResult()
    previous.interfaces = [.init(name: "lo", sandbox: "/run/netns/c1")]
    previous.ips = [.init(address: try CIDR("127.0.0.1/8"), interface: 0)]
    let merged = previous.appending(result)
    #expect(merged.interfaces.count == 4)
    #expect(merged.ips.map(\.interface) == [0, 3])
  }

  @Test func errorsAsLibcniReadsThem() {
    let error = CNIError(CNIError.incompatibleVersion, "incompatible CNI versions", details: "config is 0.2.0")
    #expect(error.json(version: "1.0.0").compact
      == #"{"cniVersion":"1.0.0","code":1,"msg":"incompatible CNI versions","details":"config is 0.2.0"}"#)
    #expect(CNIError(CnetError(.busy, "lock")).code == CNIError.tryAgainLater)
    #expect(CNIError(CnetError(.invalidArgument, "bad")).code == CNIError.invalidConfiguration)
    #expect(CNIError(CnetError(.conflict, "taken")).code == CNIError.conflict)
    #expect(CNIError(CnetError(.notFound, "gone")).code == CNIError.notFound)
  }

  @Test func commandsAndTheVersionsThatBroughtThem() {
    #expect(CNICommand.check.since == "0.4.0")
    #expect(CNICommand.status.since == "1.1.0")
    #expect(CNICommand.gc.since == "1.1.0")
    #expect(CNICommand.add.since == "0.3.0")
  }
}
