import CnetCNI
import CnetCore

/// VERSION: the versions cnet speaks. Answered whatever the environment
/// holds (podman sends "dummy" for each variable) and whatever the
/// request's version, in that version when cnet speaks it.
enum CNIVersionCommand {
  static func answer(_ input: [UInt8]) -> JSON {
    .object([
      ("cniVersion", .string(CNIConfig.answerVersion(input))),
      ("supportedVersions", .array(CNIVersion.supported.map(JSON.string))),
    ])
  }
}
