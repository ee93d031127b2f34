package org.ldapbalancer.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.ldapbalancer.operation.ClientLink;
import org.ldapbalancer.operation.Operation;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.ProtocolOp;
import org.ldapbalancer.protocol.RootDse;

/**
 * A search of the root DSE on a connection where SASL EXTERNAL can be used: its entry is relayed
 * with EXTERNAL among {@code supportedSASLMechanisms} ({@link RootDse}). Owned by the client's
 * event loop, like every operation.
 */
final class RootDseSearch extends Operation {
  private final boolean asksForMechanisms;

  /** @param asksForMechanisms whether the search names the attribute (or {@code +}) */
  RootDseSearch(ClientLink client, int clientMessageId, boolean asksForMechanisms) {
    super(client, clientMessageId, ProtocolOp.SEARCH_REQUEST);
    this.asksForMechanisms = asksForMechanisms;
  }

  /** The response to relay instead of {@code response}, or null to relay it as it is. */
  ByteBuf rewrite(ByteBufAllocator alloc, LdapMessage response) {
    if (response.opTag() != ProtocolOp.SEARCH_RESULT_ENTRY) {
      return null;
    }
    try {
      return RootDse.withMechanism(
          alloc, response, clientMessageId(), ExternalBind.MECHANISM, asksForMechanisms);
    } catch (MalformedPduException e) {
      return null; // the server's entry is not ours to judge: relayed as it came
    }
  }
}
