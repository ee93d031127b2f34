package org.ldapbalancer.protocol;

/**
 * A PDU from a server larger than {@code sockbuf_max_incoming_upstream}, which {@link
 * LdapFrameDecoder#skippingOversized} discarded as it arrived instead of closing the connection:
 * the operation it answered fails alone.
 *
 * @param messageId the message ID it carried
 * @param length its length in bytes, header included
 * @param limit the largest PDU accepted
 */
public record OversizedPdu(int messageId, long length, int limit) {}
