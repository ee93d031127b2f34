package org.ldapbalancer.monitor;

import java.util.concurrent.CompletionStage;

/**
 * Closes a client connection by its number, on whichever event loop owns it (cn=Monitor's
 * modify of {@code olmConnectionState}). Never blocks the caller.
 */
public interface ClientCloser {
  /**
   * Sends the client a Notice of Disconnection and closes it.
   *
   * @return completes with whether a connection with that number was found
   */
  CompletionStage<Boolean> close(long connectionId, int resultCode, String diagnostic);
}
