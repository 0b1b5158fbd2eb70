import CnetCore

/// A table with a header row, columns padded to their widest cell, as
/// `docker network ls` prints.
struct Table {
  var header: [String]
  var rows: [[String]] = []

  init(_ header: String...) { self.header = header }

  mutating func add(_ row: [String]) { rows.append(row) }

  var rendered: String {
    var widths = header.map(\.count)
    for row in rows {
      for (i, cell) in row.enumerated() where i < widths.count {
        widths[i] = max(widths[i], cell.count)
      }
    }
    func line(_ cells: [String]) -> String {
      var out = ""
      for (i, cell) in cells.enumerated() {
        if i == cells.count - 1 {
          out += cell
        } else {
          out += cell + String(repeating: " ", count: widths[i] - cell.count + 3)
        }
      }
      return out
    }
    return ([line(header)] + rows.map(line)).joined(separator: "\n")
  }
}

/// Prints a list as JSON (`--json`) or as text.
func emit(_ json: JSON) {
  print(json.compact)
}
