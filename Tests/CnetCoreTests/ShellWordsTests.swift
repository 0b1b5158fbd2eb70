import CnetCore
import Testing

@Suite struct ShellWordsTests {
  @Test func wordsQuotesAndEscapes() throws {
    #expect(try ShellWords.split("") == [])
    #expect(try ShellWords.split("  a\tb  c ") == ["a", "b", "c"])
    #expect(try ShellWords.split(#"-A X -m comment --comment "cnet:lab:0123" -j ACCEPT"#)
      == ["-A", "X", "-m", "comment", "--comment", "cnet:lab:0123", "-j", "ACCEPT"])
    #expect(try ShellWords.split(#"'a b' "c d" e\ f"#) == ["a b", "c d", "e f"])
    #expect(try ShellWords.split(#""say \"hi\" \\ \x""#) == [#"say "hi" \ \x"#])
    #expect(try ShellWords.split(#"'it''s' ''"#) == ["its", ""])
    #expect(try ShellWords.split("a#b # a comment") == ["a#b"])
    #expect(try ShellWords.split("# only a comment") == [])
    // A backslash and a newline join two lines into one, with no word.
    #expect(try ShellWords.split("a \\\n  b") == ["a", "b"])
    #expect(try ShellWords.split("a\\\nb") == ["ab"])
  }

  @Test func unterminatedQuotesAreErrors() {
    #expect(throws: CnetError.self) { try ShellWords.split("'open") }
    #expect(throws: CnetError.self) { try ShellWords.split("\"open") }
    #expect(throws: CnetError.self) { try ShellWords.split("trailing\\") }
  }
}
