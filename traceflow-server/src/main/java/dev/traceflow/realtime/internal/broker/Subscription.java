package dev.traceflow.realtime.internal.broker;

import java.util.ArrayDeque;

/**
 * One connection's subscription to one topic. Its fields are guarded by the connection's lock,
 * except {@link #active}, which the connection's writer reads without it (a stale read only sends
 * one event after an unsubscribe).
 */
final class Subscription {

    final Topic topic;
    final Connection connection;
    volatile boolean active = true;
    /** the highest seq the client acknowledged (cumulative) */
    long ackedSeq = -1;
    /** reliable events sent and not yet acknowledged, in seq order (first sends go out in seq order) */
    final ArrayDeque<Pending> unacked = new ArrayDeque<>(4);

    Subscription(Topic topic, Connection connection) {
        this.topic = topic;
        this.connection = connection;
    }
}
