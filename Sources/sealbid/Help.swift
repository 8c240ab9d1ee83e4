import ArgumentParser
import Foundation

/// Help as people read it: ArgumentParser wraps every part of a help screen to the terminal's
/// width (80 columns when not on a terminal) except the usage line, which for most commands is
/// two or three times that. This wraps it the same way, at option boundaries.
enum HelpLayout {
    /// The width ArgumentParser wraps to: `$COLUMNS`, else the terminal's, else 80.
    static var width: Int {
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let columns = Int(text), columns > 0 { return columns }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    /// `text` with every line that starts with `USAGE: ` or `Usage: ` and is wider than `width`
    /// broken between options, continuation lines indented under the command name.
    static func wrappingUsage(_ text: String, width: Int = width) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.count > width, line.hasPrefix("USAGE: ") || line.hasPrefix("Usage: ") else { return String(line) }
            return wrap(usage: String(line.dropFirst(7)), label: String(line.prefix(7)), width: width)
        }.joined(separator: "\n")
    }

    private static func wrap(usage: String, label: String, width: Int) -> String {
        var lines: [String] = []
        var current = label
        for unit in units(of: usage) {
            if current.count > label.count, current.count + 1 + unit.count > width {
                lines.append(current)
                current = String(repeating: " ", count: label.count) + unit
            } else {
                current += (current.count > label.count ? " " : "") + unit
            }
        }
        lines.append(current)
        return lines.joined(separator: "\n")
    }

    /// The usage split at spaces outside brackets, an option kept with its value and a `...`.
    private static func units(of usage: String) -> [String] {
        var words: [String] = []
        var word = ""
        var depth = 0
        for character in usage {
            switch character {
            case "[", "<", "(": depth += 1
            case "]", ">", ")": depth = max(0, depth - 1)
            default: break
            }
            if character == " ", depth == 0 {
                if !word.isEmpty { words.append(word) }
                word = ""
            } else {
                word.append(character)
            }
        }
        if !word.isEmpty { words.append(word) }
        var units: [String] = []
        for word in words {
            if let last = units.last, word == "..." || (word.hasPrefix("<") && last.hasPrefix("-") && !last.hasSuffix(">")) {
                units[units.count - 1] = last + " " + word
            } else {
                units.append(word)
            }
        }
        return units
    }
}
