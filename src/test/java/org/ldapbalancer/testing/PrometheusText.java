package org.ldapbalancer.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: every line
 * must be a well-formed comment or sample, every sample must belong to the family its {@code #
 * TYPE} line declared just before, no series may appear twice, and histograms must be cumulative
 * with {@code +Inf} equal to {@code _count}. Anything else throws, naming the line.
 */
public final class PrometheusText {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern TYPE =
      Pattern.compile("# TYPE (\\S+) (counter|gauge|histogram|summary|untyped)");
  private static final Pattern HELP = Pattern.compile("# HELP (\\S+)(?: (.*))?");

  /** One sample: its full name, labels (sorted) and value. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples;
  private final Map<String, String> types;

  private PrometheusText(List<Sample> samples, Map<String, String> types) {
    this.samples = List.copyOf(samples);
    this.types = Map.copyOf(types);
  }

  /**
   * Parses and checks a whole exposition.
   *
   * @throws IllegalArgumentException naming the first line that breaks the format
   */
  public static PrometheusText parse(String text) {
    List<Sample> samples = new ArrayList<>();
    Map<String, String> types = new LinkedHashMap<>();
    Map<String, Boolean> seen = new HashMap<>();
    String family = null;
    String type = null;
    String[] lines = text.split("\n", -1);
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new IllegalArgumentException("the exposition does not end with a newline");
    }
    for (int n = 0; n < lines.length; n++) {
      String line = lines[n];
      String where = "line " + (n + 1) + ": " + line;
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("#")) {
        Matcher t = TYPE.matcher(line);
        Matcher h = HELP.matcher(line);
        if (t.matches()) {
          family = t.group(1);
          type = t.group(2);
          if (!NAME.matcher(family).matches() || types.put(family, type) != null) {
            throw new IllegalArgumentException("bad or repeated TYPE, " + where);
          }
        } else if (!h.matches() && (line.startsWith("# HELP") || line.startsWith("# TYPE"))) {
          throw new IllegalArgumentException("malformed comment, " + where);
        }
        continue;
      }
      Sample s;
      try {
        s = sample(line, where);
      } catch (IndexOutOfBoundsException e) {
        throw new IllegalArgumentException("line ends early, " + where);
      }
      if (family == null || !belongs(s.name(), family, type)) {
        throw new IllegalArgumentException("sample outside its declared family, " + where);
      }
      if (seen.put(s.name() + s.labels(), Boolean.TRUE) != null) {
        throw new IllegalArgumentException("repeated series, " + where);
      }
      samples.add(s);
    }
    PrometheusText parsed = new PrometheusText(samples, types);
    parsed.checkHistograms();
    return parsed;
  }

  private static boolean belongs(String name, String family, String type) {
    if (type.equals("histogram")) {
      return name.equals(family + "_bucket")
          || name.equals(family + "_sum")
          || name.equals(family + "_count");
    }
    return name.equals(family);
  }

  private static Sample sample(String line, String where) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("bad metric name, " + where);
    }
    Map<String, String> labels = new TreeMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        if (eq < 0) {
          throw new IllegalArgumentException("label without value, " + where);
        }
        String label = line.substring(i, eq);
        if (!LABEL_NAME.matcher(label).matches() || line.charAt(eq + 1) != '"') {
          throw new IllegalArgumentException("bad label, " + where);
        }
        StringBuilder value = new StringBuilder();
        int j = eq + 2;
        for (; line.charAt(j) != '"'; j++) {
          char c = line.charAt(j);
          if (c == '\\') {
            char e = line.charAt(++j);
            switch (e) {
              case '\\' -> value.append('\\');
              case '"' -> value.append('"');
              case 'n' -> value.append('\n');
              default -> throw new IllegalArgumentException("bad escape, " + where);
            }
          } else {
            value.append(c);
          }
        }
        if (labels.put(label, value.toString()) != null) {
          throw new IllegalArgumentException("repeated label, " + where);
        }
        i = j + 1;
        if (line.charAt(i) == ',') {
          i++;
        } else if (line.charAt(i) != '}') {
          throw new IllegalArgumentException("expected , or }, " + where);
        }
      }
      i++;
    }
    if (i >= line.length() || line.charAt(i) != ' ') {
      throw new IllegalArgumentException("expected a space before the value, " + where);
    }
    String[] rest = line.substring(i + 1).split(" ");
    if (rest.length < 1 || rest.length > 2) {
      throw new IllegalArgumentException("expected value [timestamp], " + where);
    }
    double value =
        switch (rest[0]) {
          case "+Inf" -> Double.POSITIVE_INFINITY;
          case "-Inf" -> Double.NEGATIVE_INFINITY;
          case "NaN" -> Double.NaN;
          default -> {
            try {
              yield Double.parseDouble(rest[0]);
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("bad value, " + where);
            }
          }
        };
    if (rest.length == 2 && !rest[1].matches("-?[0-9]+")) {
      throw new IllegalArgumentException("bad timestamp, " + where);
    }
    return new Sample(name, labels, value);
  }

  private void checkHistograms() {
    types.forEach(
        (family, type) -> {
          if (!type.equals("histogram")) {
            return;
          }
          Map<Map<String, String>, List<Sample>> series = new LinkedHashMap<>();
          for (Sample s : samples) {
            if (s.name().equals(family + "_bucket")) {
              Map<String, String> key = new TreeMap<>(s.labels());
              key.remove("le");
              series.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
            }
          }
          series.forEach(
              (labels, buckets) -> {
                double previous = -1;
                double previousLe = Double.NEGATIVE_INFINITY;
                for (Sample b : buckets) {
                  double le = Double.parseDouble(b.labels().get("le").replace("+Inf", "Infinity"));
                  if (le <= previousLe || b.value() < previous) {
                    throw new IllegalArgumentException(
                        family + labels + ": buckets not cumulative");
                  }
                  previous = b.value();
                  previousLe = le;
                }
                if (previousLe != Double.POSITIVE_INFINITY
                    || previous != value(family + "_count", labels)) {
                  throw new IllegalArgumentException(family + labels + ": +Inf is not the count");
                }
              });
        });
  }

  /** Every sample, in the order written. */
  public List<Sample> samples() {
    return samples;
  }

  /** The declared type of a family, or null. */
  public String type(String family) {
    return types.get(family);
  }

  /**
   * The value of the one series with exactly these labels.
   *
   * @throws IllegalArgumentException if there is none
   */
  public double value(String name, Map<String, String> labels) {
    for (Sample s : samples) {
      if (s.name().equals(name) && s.labels().equals(labels)) {
        return s.value();
      }
    }
    throw new IllegalArgumentException("no series " + name + labels);
  }

  /** The value of the one series with these labels ({@code "op", "search", ...}). */
  public double value(String name, String... labels) {
    Map<String, String> m = new TreeMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      m.put(labels[i], labels[i + 1]);
    }
    return value(name, m);
  }

  /** The value of the series if present, else 0 (result series are written only once non-zero). */
  public double valueOrZero(String name, String... labels) {
    try {
      return value(name, labels);
    } catch (IllegalArgumentException e) {
      return 0;
    }
  }

  /** The sum over every series of {@code name} whose labels include these. */
  public double sum(String name, String... labels) {
    double total = 0;
    for (Sample s : samples) {
      if (!s.name().equals(name)) {
        continue;
      }
      boolean match = true;
      for (int i = 0; i < labels.length; i += 2) {
        match &= labels[i + 1].equals(s.labels().get(labels[i]));
      }
      if (match) {
        total += s.value();
      }
    }
    return total;
  }
}
