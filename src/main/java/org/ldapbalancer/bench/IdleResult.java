package org.ldapbalancer.bench;

/**
 * What an idle-mode run came to.
 *
 * @param setUp connections whose search was answered (with any result code)
 * @param failed connections that could not be opened, bound or searched on
 * @param unanswered connections whose search had no answer when set-up ended
 * @param searchErrors set-up searches answered with a result other than success
 * @param lost idle connections the server (or the network) closed during the hold
 * @param openAtEnd idle connections still open when the duration was up
 * @param setupSeconds from the first connect to the last set-up settling
 * @param heldSeconds from then to the end of the hold
 * @param firstFailure why the first connection failed or was lost, or {@code null}
 * @param stopReason {@code duration} or {@code connections lost}
 */
public record IdleResult(
    BenchSettings settings,
    String transport,
    int setUp,
    int failed,
    int unanswered,
    int searchErrors,
    int lost,
    int openAtEnd,
    double setupSeconds,
    double heldSeconds,
    String firstFailure,
    String stopReason) {}
