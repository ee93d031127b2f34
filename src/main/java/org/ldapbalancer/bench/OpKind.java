package org.ldapbalancer.bench;

import java.util.Locale;

/** The kinds of operation the generator times, each with its own latency histogram. */
enum OpKind {
  SEARCH,
  BIND,
  MODIFY,
  /** Connect, bind and unbind; timed from the connect to the BindResponse. */
  CONNECT;

  static final OpKind[] ALL = values();

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
