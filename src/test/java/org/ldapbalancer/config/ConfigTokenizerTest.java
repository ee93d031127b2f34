package org.ldapbalancer.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigTokenizerTest {
  private final Problems problems = new Problems();

  private List<LogicalLine> split(String... lines) {
    return ConfigTokenizer.split(String.join("\n", lines), ConfigFixture.FILE, problems);
  }

  private static List<String> words(LogicalLine line) {
    return line.words().stream().map(LogicalLine.Word::text).toList();
  }

  @Test
  void splitsWordsOnSpacesAndTabs() {
    List<LogicalLine> lines = split("io-threads \t 4", "pidfile\t/run/lloadd.pid");

    assertThat(lines).hasSize(2);
    assertThat(words(lines.get(0))).containsExactly("io-threads", "4");
    assertThat(words(lines.get(1))).containsExactly("pidfile", "/run/lloadd.pid");
    assertThat(lines.get(1).line()).isEqualTo(2);
  }

  @Test
  void indentedLinesContinueThePreviousDirective() {
    List<LogicalLine> lines =
        split("bindconf", "    bindmethod=simple", "\tbinddn=cn=test", "pidfile /x");

    assertThat(lines).hasSize(2);
    assertThat(words(lines.get(0)))
        .containsExactly("bindconf", "bindmethod=simple", "binddn=cn=test");
    assertThat(lines.get(0).words()).extracting(LogicalLine.Word::line).containsExactly(1, 2, 3);
    assertThat(lines.get(1).line()).isEqualTo(4);
  }

  @Test
  void anEmptyLineEndsADirective() {
    List<LogicalLine> lines = split("bindconf bindmethod=none", "", "  io-threads 2");

    assertThat(lines).hasSize(2);
    assertThat(words(lines.get(1))).containsExactly("io-threads", "2");
    assertThat(lines.get(1).line()).isEqualTo(3);
  }

  @Test
  void commentsAndBlankLinesAreSkipped() {
    List<LogicalLine> lines = split("# a comment", "   ", "", "io-threads 2", "#io-threads 8");

    assertThat(lines).hasSize(1);
    assertThat(words(lines.get(0))).containsExactly("io-threads", "2");
  }

  @Test
  void linesIndentedUnderACommentArePartOfTheComment() {
    // lloadd.conf(5): continuation lines are unwrapped before comment processing.
    List<LogicalLine> lines =
        split("#backend-server", "    uri=ldap://old.example.com", "io-threads 2");

    assertThat(lines).hasSize(1);
    assertThat(words(lines.get(0))).containsExactly("io-threads", "2");
  }

  @Test
  void aHashInsideALineIsAnOrdinaryCharacter() {
    List<LogicalLine> lines = split("bindconf credentials=pa#ss");

    assertThat(words(lines.get(0))).containsExactly("bindconf", "credentials=pa#ss");
  }

  @Test
  void doubleQuotesGroupWordsAndMayStartInsideAWord() {
    List<LogicalLine> lines =
        split("bindconf binddn=\"cn=Directory Manager,dc=example,dc=com\" \"credentials=a b\"");

    assertThat(words(lines.get(0)))
        .containsExactly(
            "bindconf", "binddn=cn=Directory Manager,dc=example,dc=com", "credentials=a b");
  }

  @Test
  void anEmptyQuotedWordIsKept() {
    assertThat(words(split("listen \"\"").get(0))).containsExactly("listen", "");
  }

  @Test
  void backslashMakesTheNextCharacterLiteral() {
    List<LogicalLine> lines = split("bindconf credentials=a\\\"b\\\\c\\ d");

    assertThat(words(lines.get(0))).containsExactly("bindconf", "credentials=a\"b\\c d");
  }

  @Test
  void aTrailingBackslashIsKept() {
    assertThat(words(split("pidfile x\\").get(0))).containsExactly("pidfile", "x\\");
  }

  @Test
  void aTrailingBackslashIsKeptOnTheFilesLastLine() {
    List<LogicalLine> lines =
        ConfigTokenizer.split("pidfile x\\\n", ConfigFixture.FILE, problems);

    assertThat(words(lines.get(0))).containsExactly("pidfile", "x\\");
  }

  @Test
  void aBackslashAtTheEndOfALineJoinsTheNextLineAsItIs() {
    List<LogicalLine> lines =
        split("backend-server uri=ldap://h \\", "numconns=4", "io-threads 2");

    assertThat(lines).hasSize(2);
    assertThat(words(lines.get(0))).containsExactly("backend-server", "uri=ldap://h", "numconns=4");
    assertThat(lines.get(0).words()).extracting(LogicalLine.Word::line).containsExactly(1, 1, 2);
    assertThat(lines.get(1).line()).isEqualTo(3);
  }

  @Test
  void aBackslashJoinsWithoutAddingASpace() {
    // fp_getline drops the backslash and appends the next line unchanged.
    List<LogicalLine> lines = split("pidfile /run/ll\\", "oadd.pid");

    assertThat(words(lines.get(0))).containsExactly("pidfile", "/run/lloadd.pid");
  }

  @Test
  void backslashContinuationsChainAndMixWithIndentedLines() {
    List<LogicalLine> lines =
        split("bindconf \\", "  bindmethod=simple \\", "binddn=cn=a", "  timeout=5", "x y");

    assertThat(words(lines.get(0)))
        .containsExactly("bindconf", "bindmethod=simple", "binddn=cn=a", "timeout=5");
    assertThat(words(lines.get(1))).containsExactly("x", "y");
  }

  @Test
  void anEscapedBackslashAtTheEndContinuesNothing() {
    List<LogicalLine> lines = split("pidfile x\\\\", "io-threads 2");

    assertThat(lines).hasSize(2);
    assertThat(words(lines.get(0))).containsExactly("pidfile", "x\\");
  }

  @Test
  void aBackslashAtTheEndOfACommentMakesTheNextLinePartOfIt() {
    List<LogicalLine> lines = split("# old server \\", "io-threads 8", "io-threads 2");

    assertThat(lines).singleElement().satisfies(l -> assertThat(words(l)).containsExactly(
        "io-threads", "2"));
  }

  @Test
  void quotesMaySpanAContinuationLine() {
    List<LogicalLine> lines = split("bindconf \"credentials=a", " b\"");

    assertThat(words(lines.get(0))).containsExactly("bindconf", "credentials=a b");
  }

  @Test
  void windowsLineEndingsAreAccepted() {
    List<LogicalLine> lines =
        ConfigTokenizer.split(
            "io-threads 2\r\nbindconf\r\n  bindmethod=none\r\n", ConfigFixture.FILE, problems);

    assertThat(lines).hasSize(2);
    assertThat(words(lines.get(1))).containsExactly("bindconf", "bindmethod=none");
  }

  @Test
  void anUnbalancedQuoteIsAnErrorThatDoesNotEchoTheText() {
    split("io-threads 2", "bindconf \"credentials=secret");

    assertThat(problems.errors())
        .singleElement()
        .hasToString("lloadd.conf:2: unbalanced double quote");
  }

  @Test
  void anIndentedFirstLineStartsADirective() {
    List<LogicalLine> lines = split("  io-threads 2");

    assertThat(words(lines.get(0))).containsExactly("io-threads", "2");
  }
}
