package org.ldapbalancer.testing;

import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryRequestHandler;
import com.unboundid.ldap.listener.LDAPListener;
import com.unboundid.ldap.listener.LDAPListenerClientConnection;
import com.unboundid.ldap.listener.LDAPListenerConfig;
import com.unboundid.ldap.listener.LDAPListenerRequestHandler;
import com.unboundid.ldap.protocol.AbandonRequestProtocolOp;
import com.unboundid.ldap.protocol.AddRequestProtocolOp;
import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.CompareRequestProtocolOp;
import com.unboundid.ldap.protocol.DeleteRequestProtocolOp;
import com.unboundid.ldap.protocol.ExtendedRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.ModifyDNRequestProtocolOp;
import com.unboundid.ldap.protocol.ModifyRequestProtocolOp;
import com.unboundid.ldap.protocol.ProtocolOp;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.protocol.UnbindRequestProtocolOp;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.LDAPException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.ldapbalancer.demo.SampleDirectory;

/**
 * An in-memory upstream (the {@link SampleDirectory} data) that records every request it reads,
 * with its message ID and controls, and every AbandonRequest, and can hold chosen requests
 * until the test releases them: a slow or stuck server on demand.
 *
 * <p>{@code InMemoryOperationInterceptor} cannot see abandons, so this wraps the in-memory
 * request handler in a listener of its own instead.
 *
 * <p>Thread-safe: the listener's connection threads record, the test thread reads and releases.
 */
public final class RecordingDirectory implements AutoCloseable {
  /** How long a held request waits at most, so that a failing test never leaves threads stuck. */
  private static final long MAX_HOLD_SECONDS = 60;

  /**
   * One request as the server read it.
   *
   * @param connection which upstream connection it came on (numbered from 1 in accept order)
   */
  public record Request(long connection, int messageId, ProtocolOp op, List<Control> controls) {
    /** The value of the Proxied Authorization v2 control, or null when there is none. */
    public String proxiedAuthz() {
      Control c = control(PROXIED_AUTHZ_OID);
      return c == null ? null : c.getValue().stringValue();
    }

    public Control control(String oid) {
      for (Control c : controls) {
        if (c.getOID().equals(oid)) {
          return c;
        }
      }
      return null;
    }

    public boolean isSearch() {
      return op instanceof SearchRequestProtocolOp;
    }

    /** The search filter as text, or "" for other requests. */
    public String filter() {
      return op instanceof SearchRequestProtocolOp s ? s.getFilter().toString() : "";
    }
  }

  /** An AbandonRequest as the server read it. */
  public record Abandon(long connection, int messageId, int idToAbandon) {}

  private final java.util.concurrent.atomic.AtomicInteger probes =
      new java.util.concurrent.atomic.AtomicInteger();

  public static final String PROXIED_AUTHZ_OID = "2.16.840.1.113730.3.4.18";

  private final LDAPListener listener;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<Abandon> abandons = new CopyOnWriteArrayList<>();
  private final List<Request> held = new CopyOnWriteArrayList<>();
  private final AtomicLong connections = new AtomicLong();
  private volatile Predicate<Request> holdWhen = r -> false;
  private volatile CountDownLatch gate = new CountDownLatch(0);

  private RecordingDirectory(LDAPListener listener) {
    this.listener = listener;
  }

  /** Starts a directory on a free loopback port holding {@code users} sample users. */
  public static RecordingDirectory start(String name, int users) throws LDAPException, IOException {
    return start(name, users, config -> {});
  }

  /** As {@link #start(String, int)}, letting the caller add to the configuration first. */
  public static RecordingDirectory start(
      String name, int users, Consumer<InMemoryDirectoryServerConfig> customise)
      throws LDAPException, IOException {
    return start(name, users, 0, customise);
  }

  /** As {@link #start(String, int)} on a given port, e.g. to bring a dead server back. */
  public static RecordingDirectory start(String name, int users, int port)
      throws LDAPException, IOException {
    return start(name, users, port, config -> {});
  }

  private static RecordingDirectory start(
      String name, int users, int port, Consumer<InMemoryDirectoryServerConfig> customise)
      throws LDAPException, IOException {
    InMemoryDirectoryServerConfig config = SampleDirectory.config(name, port);
    customise.accept(config);
    InMemoryRequestHandler data = new InMemoryRequestHandler(config);
    data.addEntries(SampleDirectory.entries(name, users));
    RecordingDirectory[] self = new RecordingDirectory[1];
    LDAPListenerConfig listenerConfig = new LDAPListenerConfig(port, new Recorder(data, self, 0));
    listenerConfig.setUseReuseAddress(true);
    listenerConfig.setListenAddress(SampleDirectory.loopback());
    LDAPListener listener = new LDAPListener(listenerConfig);
    self[0] = new RecordingDirectory(listener);
    listener.startListening();
    return self[0];
  }

  public int port() {
    return listener.getListenPort();
  }

  public String url() {
    return "ldap://127.0.0.1:" + port();
  }

  /** Every request read so far, in arrival order. */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Every request read so far that matches. */
  public List<Request> requests(Predicate<Request> which) {
    return requests.stream().filter(which).toList();
  }

  public List<Abandon> abandons() {
    return List.copyOf(abandons);
  }

  /** Requests currently held. */
  public List<Request> held() {
    return List.copyOf(held);
  }

  /**
   * From now on, requests matching {@code which} wait (each on its connection's thread, so later
   * requests on that connection wait behind it) until {@link #release()}.
   */
  public void holdRequestsMatching(Predicate<Request> which) {
    gate = new CountDownLatch(1);
    holdWhen = which;
  }

  /** Lets every held request go on, and stops holding new ones. */
  public void release() {
    holdWhen = r -> false;
    gate.countDown();
  }

  /**
   * Closes every connection and stops listening: the server dies. Held requests are let go only
   * afterwards, so none of them is answered.
   */
  public void shutDown() {
    listener.shutDown(true);
    release();
  }

  @Override
  public void close() {
    shutDown();
  }

  /** The balancer's health probe: the root DSE, base scope, attribute "1.1", no control. */
  static boolean isHealthProbe(SearchRequestProtocolOp op, List<Control> controls) {
    return op.getBaseDN().isEmpty()
        && op.getScope() == com.unboundid.ldap.sdk.SearchScope.BASE
        && op.getAttributes().equals(List.of("1.1"))
        && controls.isEmpty();
  }

  /** Health probes answered so far (not in {@link #requests()}). */
  public int probes() {
    return probes.get();
  }

  private void arrived(Request request) {
    requests.add(request);
    if (holdWhen.test(request)) {
      held.add(request);
      try {
        gate.await(MAX_HOLD_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        held.remove(request);
      }
    }
  }

  /** Records, maybe holds, then hands the request to the in-memory directory. */
  private static final class Recorder extends LDAPListenerRequestHandler {
    private final LDAPListenerRequestHandler delegate;
    private final RecordingDirectory[] owner;
    private final long connection;

    Recorder(LDAPListenerRequestHandler delegate, RecordingDirectory[] owner, long connection) {
      this.delegate = delegate;
      this.owner = owner;
      this.connection = connection;
    }

    @Override
    public LDAPListenerRequestHandler newInstance(LDAPListenerClientConnection c)
        throws LDAPException {
      return new Recorder(
          delegate.newInstance(c), owner, owner[0].connections.incrementAndGet());
    }

    @Override
    public void closeInstance() {
      delegate.closeInstance();
    }

    private void arrived(int id, ProtocolOp op, List<Control> controls) {
      owner[0].arrived(new Request(connection, id, op, List.copyOf(controls)));
    }

    @Override
    public void processAbandonRequest(int id, AbandonRequestProtocolOp op, List<Control> c) {
      owner[0].abandons.add(new Abandon(connection, id, op.getIDToAbandon()));
      delegate.processAbandonRequest(id, op, c);
    }

    @Override
    public void processUnbindRequest(int id, UnbindRequestProtocolOp op, List<Control> c) {
      delegate.processUnbindRequest(id, op, c);
    }

    @Override
    public LDAPMessage processAddRequest(int id, AddRequestProtocolOp op, List<Control> c) {
      arrived(id, op, c);
      return delegate.processAddRequest(id, op, c);
    }

    @Override
    public LDAPMessage processBindRequest(int id, BindRequestProtocolOp op, List<Control> c) {
      arrived(id, op, c);
      return delegate.processBindRequest(id, op, c);
    }

    @Override
    public LDAPMessage processCompareRequest(int id, CompareRequestProtocolOp op, List<Control> c) {
      arrived(id, op, c);
      return delegate.processCompareRequest(id, op, c);
    }

    @Override
    public LDAPMessage processDeleteRequest(int id, DeleteRequestProtocolOp op, List<Control> c) {
      arrived(id, op, c);
      return delegate.processDeleteRequest(id, op, c);
    }

    @Override
    public LDAPMessage processExtendedRequest(
        int id, ExtendedRequestProtocolOp op, List<Control> c) {
      arrived(id, op, c);
      return delegate.processExtendedRequest(id, op, c);
    }

    @Override
    public LDAPMessage processModifyRequest(int id, ModifyRequestProtocolOp op, List<Control> c) {
      arrived(id, op, c);
      return delegate.processModifyRequest(id, op, c);
    }

    @Override
    public LDAPMessage processModifyDNRequest(
        int id, ModifyDNRequestProtocolOp op, List<Control> c) {
      arrived(id, op, c);
      return delegate.processModifyDNRequest(id, op, c);
    }

    @Override
    public LDAPMessage processSearchRequest(int id, SearchRequestProtocolOp op, List<Control> c) {
      if (isHealthProbe(op, c)) {
        // The balancer's own check that the server answers: counted apart, never held, so that
        // tests counting the clients' requests are not disturbed by its timing.
        owner[0].probes.incrementAndGet();
        return delegate.processSearchRequest(id, op, c);
      }
      arrived(id, op, c);
      return delegate.processSearchRequest(id, op, c);
    }
  }
}
