package org.ldapbalancer.monitor;

/**
 * One client connection as cn=Monitor lists it under {@code cn=Incoming Connections}. Taken on the
 * client's event loop; immutable.
 *
 * @param connectionId the connection's number, unique in the process, in accept order
 * @param peer the client's address as lloadd writes it ({@code IP=127.0.0.1:40000}, {@code
 *     IP=[::1]:40000}, {@code PATH=/run/ldapi})
 * @param local the listener's address, in the same form
 * @param authzId the identity the client's operations run as ({@code dn:...}); {@code dn:} when
 *     anonymous
 * @param state {@code ready}, {@code binding} or {@code closing}, lloadd's names
 * @param pendingOps operations in flight
 * @param received operations received, Bind included
 * @param completed operations answered with a server's final response
 * @param failed operations the balancer answered after forwarding them (the server was lost,
 *     or too slow)
 */
public record ClientSnapshot(
    long connectionId,
    String peer,
    String local,
    String authzId,
    String state,
    int pendingOps,
    long received,
    long completed,
    long failed) {}
