package org.ldapbalancer.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Finds the OpenLDAP programs the fixtures run. */
final class Executables {

  static final String INSTALL_HINT = "apt-get install slapd ldap-utils";

  /** Debian puts slapd and slapadd in /usr/sbin, which is often not on a normal user's PATH. */
  private static final List<String> EXTRA_DIRS = List.of("/usr/sbin", "/usr/local/sbin", "/sbin");

  private Executables() {}

  static Optional<Path> find(String name) {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(File.pathSeparator)));
    }
    dirs.addAll(EXTRA_DIRS);
    for (String dir : dirs) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * Throws rather than skipping: a missing slapd must fail the build, never quietly turn the
   * real-server tests into no-ops.
   */
  static Path require(String name, String packageName) {
    return find(name)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    packageName + " not installed (" + name + " not found): " + INSTALL_HINT));
  }
}
