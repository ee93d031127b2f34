package org.ldapbalancer.balancing;

/**
 * One client's ties to where its earlier operations went: the requests that belong together
 * (lloadd's {@code restrict_* connection} / {@code backend} / {@code write}, {@code
 * write_coherence}, and the pages of a paged search) as one mechanism. A pin names a server or a
 * connection, its reason ({@link Pin}) and its end: the client's next bind or its close ({@link
 * #reset()}), the end of the write-coherence window, the loss of the pinned connection (the
 * operation then fails and the pin is dropped), or, for paged results, the last page, an abandon
 * and an idle limit.
 *
 * <p>When nothing is pinned, {@link #isFree()} is one field check, so operations without any
 * affinity pay nothing more.
 *
 * <p>Besides the pins, one soft tie ({@link #serverInFlight}): while a client has operations in
 * flight, its next operation without affinity goes to the server they went to, if that server
 * can take it now; otherwise the tier's policy chooses as usual. The answers to one client then
 * come from one upstream connection or two and leave the balancer together, in one write to the
 * client, instead of arriving from every server in turn, each in a write of its own — what a
 * pipelining client pays for most behind a per-operation balancer (BENCHMARKS.md, fifth round).
 * A client with one operation at a time is balanced per operation exactly as before; one that
 * always has some in flight is re-balanced by the policy at least every {@link
 * #MAX_RUN_IN_FLIGHT} operations, so that it is still spread and a slow server ({@code bestof})
 * does not keep it. Only a server of the first tier is followed: one a later tier took the
 * operation from (the first having nothing ready) is left as soon as the first can take one.
 *
 * <p>Not thread-safe: owned by the client's event loop, as are the endpoints it names.
 */
public final class Affinity<E extends Endpoint> {
  /** How long a paged search may wait between pages before its connection may go to another. */
  public static final long PAGED_IDLE_NANOS = 300_000_000_000L;

  /** The most operations in a row sent to a client's server in flight before the policy chooses. */
  public static final int MAX_RUN_IN_FLIGHT = 16;

  /** 0: writes do not pin; negative: until the next bind; else the window after the last write. */
  private final long coherenceNanos;

  private final long pagedIdleNanos;

  private Pin pin = Pin.NONE;
  /** The pinned server ({@link Pin#WRITE}, {@link Pin#BACKEND}, {@link Pin#CONNECTION}). */
  private ServerEndpoints<E> server;
  /** The pinned connection ({@link Pin#CONNECTION}). */
  private E connection;
  /** Operations sent under a {@link Pin#WRITE} pin still waiting for their final response. */
  private int writesInFlight;
  /** When the last of them ended. */
  private long writesEndedNanos;
  /** A write pin was dropped with writes still in flight (see {@link #takeOrphanedWrites}). */
  private boolean orphanedWrites;

  /** The connection holding this client's paged search, or null. */
  private E paged;
  private ServerEndpoints<E> pagedServer;
  private int pagesInFlight;

  /** Where the client's last operation without affinity went, and how many in a row went there. */
  private ServerEndpoints<E> inFlightServer;
  private int inFlightRun;

  /**
   * @param writeCoherenceSeconds {@code write_coherence}: 0 none, negative until the next bind
   */
  public Affinity(int writeCoherenceSeconds) {
    this(writeCoherenceSeconds, PAGED_IDLE_NANOS);
  }

  Affinity(int writeCoherenceSeconds, long pagedIdleNanos) {
    this.coherenceNanos =
        writeCoherenceSeconds < 0 ? -1 : writeCoherenceSeconds * 1_000_000_000L;
    this.pagedIdleNanos = pagedIdleNanos;
  }

  /** Whether nothing is pinned: operations without affinity of their own go anywhere. */
  public boolean isFree() {
    return pin == Pin.NONE && paged == null;
  }

  /** The client's current pin. */
  public Pin pin() {
    return pin;
  }

  /**
   * Chooses a connection for an operation, honouring the client's pin before any policy; {@code
   * null} when none will do, with the reason in {@code selector.refusal()}.
   *
   * @param own the pin the operation itself asks for (its restrict action, or a write)
   */
  public E select(Selector<E> selector, Pin own, Paging paging, long nowNanos) {
    expireWrites(nowNanos);
    if (pin == Pin.CONNECTION) {
      if (!connection.isReady()) {
        // The state the pin was for went with the connection (lloadd closes such a client).
        drop();
        selector.refuse(Refusal.PIN_LOST);
        return null;
      }
      return selector.selectExactly(server, connection);
    }
    if (paging == Paging.NEXT_PAGE) {
      if (paged == null || !paged.isReady() || paged.pagedHolder() != this) {
        releasePaged();
        selector.refuse(Refusal.PAGED_STATE_LOST);
        return null;
      }
      return selector.selectExactly(pagedServer, paged);
    }
    if (paging == Paging.FIRST_PAGE && paged != null) {
      if (paged.isReady() && paged.pagedHolder() == this) {
        // The client starts over: slapd replaces the connection's paged state.
        return selector.selectExactly(pagedServer, paged);
      }
      releasePaged();
    }
    boolean skipHeld = paging == Paging.FIRST_PAGE;
    if (pin != Pin.NONE) {
      E chosen = selector.selectIn(server, skipHeld, nowNanos);
      if (chosen != null || !selector.refusal().nothingReady()) {
        return chosen;
      }
      // The pinned server is down: its writes are there or lost; carry on elsewhere.
      drop();
    }
    return skipHeld ? selector.selectUnheld(nowNanos) : selector.select();
  }

  /**
   * The server to try first for an operation without affinity: the one the client's last such
   * operation went to, while others are in flight and the run there is under {@link
   * #MAX_RUN_IN_FLIGHT}; else {@code null}, and the policy chooses.
   *
   * @param othersInFlight whether the client has operations in flight besides this one
   */
  public ServerEndpoints<E> serverInFlight(boolean othersInFlight) {
    return othersInFlight && inFlightRun < MAX_RUN_IN_FLIGHT ? inFlightServer : null;
  }

  /**
   * An operation without affinity went to {@code server} ({@code null}: to a server not to be
   * followed, one of a fallback tier).
   *
   * @param followed whether it went there because of {@link #serverInFlight} (the run goes on)
   *     rather than by the policy's choice (a run starts)
   */
  public void sentInFlight(ServerEndpoints<E> server, boolean followed) {
    if (followed) {
      inFlightRun++;
    } else {
      inFlightServer = server;
      inFlightRun = 1;
    }
  }

  /**
   * Records where an operation went.
   *
   * @param own the pin the operation asked for
   * @return the pin the operation was sent under (its own or the client's, whichever is
   *     stronger), to be handed to {@link #ended} with its final response
   */
  public Pin forwarded(Pin own, Paging paging, E chosen, ServerEndpoints<E> chosenServer) {
    if (paging != Paging.NONE) {
      if (paged != chosen) {
        releasePaged();
        paged = chosen;
        pagedServer = chosenServer;
      }
      pagesInFlight++;
      chosen.holdForPaging(this, Long.MAX_VALUE);
    }
    if (own.compareTo(pin) > 0) {
      pin = own;
      server = chosenServer;
      connection = own == Pin.CONNECTION ? chosen : null;
    }
    Pin sentUnder = own.compareTo(pin) > 0 ? own : pin;
    if (sentUnder == Pin.WRITE) {
      writesInFlight++;
    }
    return sentUnder;
  }

  /**
   * An operation sent under {@code sentUnder} has had its final response (or was abandoned).
   *
   * @param morePages for a paged search, whether the server's cookie lets the client ask for
   *     another page; false ends the exchange and frees the connection for other clients
   */
  public void ended(Pin sentUnder, Paging paging, boolean morePages, long nowNanos) {
    if (sentUnder == Pin.WRITE && pin == Pin.WRITE && writesInFlight > 0) {
      writesInFlight--;
      writesEndedNanos = nowNanos;
    }
    if (paging != Paging.NONE && paged != null) {
      pagesInFlight = Math.max(0, pagesInFlight - 1);
      if (!morePages) {
        releasePaged();
      } else if (pagesInFlight == 0 && paged.pagedHolder() == this) {
        paged.holdForPaging(this, nowNanos + pagedIdleNanos);
      }
    }
  }

  /**
   * Whether a write pin was dropped, since the last call, while writes sent under it were still
   * in flight: its server went down and the client's operations moved on. Their ends must no
   * longer count for the pin that follows, or its window would be cut short by them; the client
   * then sends them back to {@link #ended} as {@link Pin#NONE}.
   */
  public boolean takeOrphanedWrites() {
    if (!orphanedWrites) {
      return false; // every operation asks: one field read
    }
    orphanedWrites = false;
    return true;
  }

  /** A bind or the client's close: every pin and hold ends (lloadd's client reset). */
  public void reset() {
    drop();
    orphanedWrites = false; // the client abandons every operation with the reset
    releasePaged();
    inFlightServer = null;
    inFlightRun = 0;
  }

  private void expireWrites(long nowNanos) {
    if (pin == Pin.WRITE
        && writesInFlight == 0
        && coherenceNanos >= 0
        && nowNanos - writesEndedNanos >= coherenceNanos) {
      drop();
    }
  }

  private void drop() {
    orphanedWrites |= writesInFlight > 0;
    pin = Pin.NONE;
    server = null;
    connection = null;
    writesInFlight = 0;
  }

  private void releasePaged() {
    if (paged != null) {
      if (paged.pagedHolder() == this) {
        paged.holdForPaging(null, 0);
      }
      paged = null;
      pagedServer = null;
      pagesInFlight = 0;
    }
  }
}
