package org.ldapbalancer.testing;

/**
 * What an {@link LdapTool} run showed its user, with the server's URL taken out, so that a run
 * through the balancer and the same run against a server directly can be compared with {@code
 * equals}. Only the URL differs legitimately; everything else (exit code, entries, result texts,
 * the server's diagnostic messages) must be the same.
 */
public record ComparableResult(int exitCode, String stdout, String stderr) {

  private static final String URL_MARK = "<url>";

  public static ComparableResult of(LdapTool.Result result) {
    if (result.timedOut()) {
      throw new AssertionError("tool timed out:\n" + result);
    }
    String url = result.command().get(result.command().indexOf("-H") + 1);
    return new ComparableResult(
        result.exitCode(), normalise(result.stdout(), url), normalise(result.stderr(), url));
  }

  private static String normalise(String output, String url) {
    return output.replace(url, URL_MARK).replace("\r\n", "\n").stripTrailing();
  }
}
