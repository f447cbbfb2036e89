package dev.traceflow.realtime.internal.broker;

import java.time.Duration;

/**
 * Every limit of the broker. The defaults live in {@code TraceFlowProperties.Realtime} (one source
 * of truth); this record only carries them into the core, which has no framework of its own.
 *
 * @param maxMessageBytes            largest client message (UTF-8 bytes) and largest published payload's message
 * @param sendQueueCapacity          live messages one connection's send queue holds before it is a slow consumer
 *                                   (reliable topics) or loses its oldest volatile events
 * @param maxUnackedPerConnection    events sent to one connection and not yet acknowledged (its window): more
 *                                   wait in the send queue until acks come, so a client that neither reads nor
 *                                   acks fills the queue and is cut off as a slow consumer
 * @param messagesPerSecondPerConnection client messages per second one connection may send (bursts of twice that)
 * @param publishesPerSecondPerTopic events per second one topic takes from all its publishers (bursts of twice that)
 * @param maxSubscriptionsPerConnection topics one connection may be subscribed to at once
 * @param maxConnectionsPerUser      open connections of one user (anonymous connections count per IP only)
 * @param maxConnectionsPerIp        open connections from one client IP
 * @param historySize                events kept per topic for resume
 * @param historyTtl                 how long an event stays in its topic's history
 * @param historyMaxBytes            bytes all topics' histories may hold together; past it, a publishing topic
 *                                   gives up its own oldest events first
 * @param ackTimeout                 how long a sent event waits for its ack before it is sent again (doubling each time)
 * @param maxRedeliveryBackoff       the longest wait between two sends of one event
 * @param maxDeliveries              sends of one event to one connection, the first included; then it is dropped and counted
 * @param idempotencyWindow          how long a publish id is remembered per topic, so a retry is not sequenced twice
 * @param idempotencyMaxIds          ids remembered per topic at most (the window is shorter on a busier topic)
 * @param maxTopicsPerApp            topics one app may have in memory at once
 * @param topicIdleTtl               a topic without subscribers and without publishes for this long is forgotten
 *                                   (a later subscriber gets a new epoch)
 * @param recheckInterval            how often every connection's token, account and role are checked again
 * @param closeGrace                 how long a connection being closed by the server may take to send its last error
 */
public record BrokerSettings(int maxMessageBytes,
                             int sendQueueCapacity,
                             int maxUnackedPerConnection,
                             int messagesPerSecondPerConnection,
                             int publishesPerSecondPerTopic,
                             int maxSubscriptionsPerConnection,
                             int maxConnectionsPerUser,
                             int maxConnectionsPerIp,
                             int historySize,
                             Duration historyTtl,
                             long historyMaxBytes,
                             Duration ackTimeout,
                             Duration maxRedeliveryBackoff,
                             int maxDeliveries,
                             Duration idempotencyWindow,
                             int idempotencyMaxIds,
                             int maxTopicsPerApp,
                             Duration topicIdleTtl,
                             Duration recheckInterval,
                             Duration closeGrace) {

    public BrokerSettings {
        positive("maxMessageBytes", maxMessageBytes);
        positive("sendQueueCapacity", sendQueueCapacity);
        positive("maxUnackedPerConnection", maxUnackedPerConnection);
        positive("messagesPerSecondPerConnection", messagesPerSecondPerConnection);
        positive("publishesPerSecondPerTopic", publishesPerSecondPerTopic);
        positive("maxSubscriptionsPerConnection", maxSubscriptionsPerConnection);
        positive("maxConnectionsPerUser", maxConnectionsPerUser);
        positive("maxConnectionsPerIp", maxConnectionsPerIp);
        positive("historySize", historySize);
        positive("historyMaxBytes", historyMaxBytes);
        positive("maxDeliveries", maxDeliveries);
        positive("idempotencyMaxIds", idempotencyMaxIds);
        positive("maxTopicsPerApp", maxTopicsPerApp);
        for (Duration d : new Duration[] {historyTtl, ackTimeout, maxRedeliveryBackoff, idempotencyWindow, topicIdleTtl,
                recheckInterval, closeGrace}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("realtime durations must be positive");
            }
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException("realtime." + name + " must be positive, not " + value);
        }
    }

    /** The wait before the {@code attempt}-th send (2, 3, ...) of an event: the ack timeout, doubled per send, capped. */
    Duration redeliveryDelay(int sendsSoFar) {
        Duration delay = ackTimeout;
        for (int i = 1; i < sendsSoFar && delay.compareTo(maxRedeliveryBackoff) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxRedeliveryBackoff) > 0 ? maxRedeliveryBackoff : delay;
    }
}
