import CnetCLI

CnetMain.main(Array(CommandLine.arguments.dropFirst()))
