package org.ldapbalancer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigIncludeTest {
  @TempDir Path dir;

  private Path write(String name, String... lines) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, String.join("\n", lines) + "\n");
    return file;
  }

  private static List<String> errors(Path file) {
    return catchThrowableOfType(ConfigException.class, () -> ConfigParser.parse(file))
        .problems()
        .stream()
        .map(ConfigProblem::toString)
        .toList();
  }

  @Test
  void anIncludedFileIsReadInPlaceRelativeToTheIncludingFile() throws Exception {
    write("conf.d/servers.conf", "backend-server uri=ldap://a.example", "io-threads 3");
    Path main =
        write(
            "lloadd.conf",
            "io-threads 2",
            "include conf.d/servers.conf",
            "backend-server uri=ldap://b.example");

    BalancerConfig config = ConfigParser.parse(main);

    assertThat(config.servers())
        .extracting(BackendServer::name)
        .containsExactly("ldap://a.example:389", "ldap://b.example:389");
    assertThat(config.ioThreads()).isEqualTo(3);
  }

  @Test
  void nestedIncludesResolveAgainstTheirOwnDirectory() throws Exception {
    write("a/b/leaf.conf", "backend-server uri=ldap://leaf.example");
    write("a/middle.conf", "include b/leaf.conf");
    Path main = write("lloadd.conf", "include a/middle.conf");

    assertThat(ConfigParser.parse(main).servers())
        .extracting(BackendServer::name)
        .containsExactly("ldap://leaf.example:389");
  }

  @Test
  void anAbsoluteIncludePathIsUsedAsIs() throws Exception {
    Path servers = write("elsewhere/servers.conf", "backend-server uri=ldap://a.example");
    Path main = write("etc/lloadd.conf", "include \"" + servers.toAbsolutePath() + "\"");

    assertThat(ConfigParser.parse(main).servers()).hasSize(1);
  }

  @Test
  void errorsInAnIncludedFileNameThatFileAndItsLine() throws Exception {
    Path included =
        write("servers.conf", "# servers", "backend-server uri=ldap://a.example numconns=0");
    Path main = write("lloadd.conf", "include servers.conf", "nonsense");

    assertThat(errors(main))
        .containsExactly(
            included + ":2: backend-server: bad value numconns=0: must be at least 1",
            main + ":2: unknown directive \"nonsense\"");
  }

  @Test
  void warningsInAnIncludedFileNameThatFile() throws Exception {
    Path included = write("servers.conf", "backend-server uri=ldap://a.example", "threads 16");
    Path main = write("lloadd.conf", "include servers.conf");

    assertThat(ConfigParser.parse(main).warnings())
        .extracting(ConfigProblem::toString)
        .containsExactly(included + ":2: threads: not supported yet, ignored");
  }

  @Test
  void anIncludeLoopIsAnErrorThatShowsTheChain() throws Exception {
    Path a = write("a.conf", "include b.conf", "backend-server uri=ldap://a.example");
    Path b = write("b.conf", "include a.conf");

    assertThat(errors(a)).containsExactly(b + ":1: include loop: " + a + " -> " + b + " -> " + a);
  }

  @Test
  void aFileIncludingItselfIsALoop() throws Exception {
    Path a = write("a.conf", "include ./a.conf", "backend-server uri=ldap://a.example");

    assertThat(errors(a)).singleElement().asString().startsWith(a + ":1: include loop: ");
  }

  @Test
  void includingTheSameFileTwiceInSequenceIsNotALoop() throws Exception {
    write("common.conf", "io-threads 2");
    Path main =
        write(
            "lloadd.conf",
            "include common.conf",
            "include common.conf",
            "backend-server uri=ldap://a");

    assertThat(ConfigParser.parse(main).ioThreads()).isEqualTo(2);
  }

  @Test
  void aMissingIncludeIsAnErrorOnTheIncludeLine() throws Exception {
    Path main = write("lloadd.conf", "backend-server uri=ldap://a.example", "include missing.conf");

    assertThat(errors(main))
        .containsExactly(
            main + ":2: include: cannot read " + dir.resolve("missing.conf") + ": no such file");
  }

  @Test
  void includeTakesExactlyOneFile() throws Exception {
    Path main = write("lloadd.conf", "backend-server uri=ldap://a", "include", "include a b");

    assertThat(errors(main))
        .containsExactly(
            main + ":2: include: missing argument",
            main + ":3: include: too many arguments (expected 1, got 2)");
  }

  private Path writeBytes(String name, String... latin1Lines) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, (String.join("\n", latin1Lines) + "\n").getBytes(StandardCharsets.ISO_8859_1));
    return file;
  }

  @Test
  void aLineThatIsNotUtf8IsAnErrorOnItsLine() throws Exception {
    Path main = writeBytes("lloadd.conf", "backend-server uri=ldap://a.example", "io-th\u00ff 2");

    assertThat(errors(main))
        .containsExactly(main + ":2: not valid UTF-8 (the file must be UTF-8)");
  }

  @Test
  void aCommentThatIsNotUtf8IsIgnored() throws Exception {
    // Latin-1, as an old file's comments often are; lloadd never decodes them.
    Path main =
        writeBytes(
            "lloadd.conf",
            "# serveur de secours, g\u00e9r\u00e9 par l'\u00e9quipe r\u00e9seau",
            "#backend-server",
            "    uri=ldap://caf\u00e9.example",
            "backend-server uri=ldap://a.example");

    assertThat(ConfigParser.parse(main).servers()).hasSize(1);
  }

  @Test
  void anInvalidLineInsideAMultiLineDirectiveIsNamedByItsOwnLine() throws Exception {
    Path main =
        writeBytes(
            "lloadd.conf",
            "backend-server uri=ldap://a.example",
            "bindconf",
            "    bindmethod=simple",
            "    credentials=s\u00e9same");

    assertThat(errors(main))
        .containsExactly(main + ":4: not valid UTF-8 (the file must be UTF-8)");
  }

  @Test
  void anIncludedFileThatIsNotUtf8IsNamedWithItsLine() throws Exception {
    Path included = writeBytes("servers.conf", "backend-server uri=ldap://a.example", "tier \u00e9");
    Path main = write("lloadd.conf", "include servers.conf");

    assertThat(errors(main))
        .containsExactly(included + ":2: not valid UTF-8 (the file must be UTF-8)");
  }
}
