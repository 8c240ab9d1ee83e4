import Foundation
import Testing

/// Help as a person reads it in a pipe or a file (issue 16, item 9): every command listed, from
/// `sealbid --help` down, answers `--help` with at least one example, and no line is wider than
/// the 80 columns ArgumentParser wraps to when not on a terminal.
@Suite("sealbid --help: an example for every command, nothing wider than 80 columns")
struct HelpTests {
    /// `sealbid <path> --help` with standard output a pipe and no `COLUMNS`: what a pager or a
    /// file gets. Standard error (a start-up warning, say) is not part of the help.
    static func help(_ path: [String], _ cli: CLI) throws -> (status: Int32, text: String) {
        let (status, text) = try cli.run(path + ["--help"], unsetting: ["COLUMNS", "LINES"], standardError: false)
        return (status, text)
    }

    /// The subcommands a help screen lists: the first word of each entry of its SUBCOMMANDS section.
    static func subcommands(_ help: String) -> [String] {
        var names: [String] = []
        var inSection = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "SUBCOMMANDS:" {
                inSection = true
            } else if line.isEmpty {
                inSection = false
            } else if inSection, line.hasPrefix("  "), let first = line.dropFirst(2).first, first != " " {
                names.append(String(line.dropFirst(2).prefix { $0 != " " }))
            }
        }
        return names
    }

    @Test("every command's --help: exit 0, an example naming the command, 80 columns, examples unbroken")
    func everyCommand() throws {
        let cli = try CLI()
        defer { cli.remove() }
        var queue: [[String]] = [[]]
        var checked: [String] = []
        while !queue.isEmpty {
            let path = queue.removeFirst()
            let name = (["sealbid"] + path).joined(separator: " ")
            let (status, text) = try Self.help(path, cli)
            #expect(status == 0, "\(name) --help exited \(status)")
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for line in lines where line.count > 80 {
                Issue.record("\(name) --help: a line of \(line.count) columns: \(line)")
            }
            let starts = lines.indices.filter { lines[$0].hasPrefix("Example") }
            #expect(!starts.isEmpty, "\(name) --help has no Example section:\n\(text)")
            var exampleLines: [String] = []
            for start in starts {
                // An example block: command lines indented by two, up to a blank line; a line that
                // ends with a backslash continues on the next, indented further. A line the help
                // wrapper broke starts at column 0, or leaves a backslash with nothing after it.
                var index = start + 1
                #expect(index < lines.count && !lines[index].isEmpty, "\(name): '\(lines[start])' is followed by no example")
                while index < lines.count, !lines[index].isEmpty {
                    let line = lines[index]
                    #expect(line.hasPrefix("  "), "\(name): an example line is not indented (broken by wrapping?): '\(line)'")
                    if line.hasSuffix("\\") {
                        let next = index + 1 < lines.count ? lines[index + 1] : ""
                        #expect(next.hasPrefix("    "), "\(name): the line after '\(line)' does not continue it: '\(next)'")
                    }
                    exampleLines.append(line)
                    index += 1
                }
            }
            #expect(exampleLines.contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix(name) }, "\(name): no example runs it")
            checked.append(name)
            queue += Self.subcommands(text).map { path + [$0] }
        }
        // The walk found the tree (a help layout the parser above no longer reads would find nothing).
        for command in ["sealbid tender registry", "sealbid committee dkg-finish", "sealbid opening sign", "sealbid vectors verify"] {
            #expect(checked.contains(command), "\(command) was not reached: \(checked)")
        }
        #expect(checked.count >= 45, "\(checked.count) commands: \(checked)")
    }

    @Test("'sealbid help <command>' is the same help; --version answers")
    func helpCommandAndVersion() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let viaFlag = try Self.help(["tender", "registry"], cli).text
        let viaCommand = try cli.run(["help", "tender", "registry"], unsetting: ["COLUMNS", "LINES"])
        #expect(viaCommand.status == 0 && viaCommand.output.hasSuffix(viaFlag), "\(viaCommand.output)")
        let version = try cli.run(["--version"])
        #expect(version.status == 0 && version.output.contains("envelope-v1"), "\(version.output)")
    }
}
