package dev.traceflow.realtime.internal.broker;

/**
 * Which topics are volatile: their events are neither acknowledged nor sent again, and a full send
 * queue drops the oldest of them instead of cutting the connection off (live cursors, typing
 * indicators: only the latest matters). Every other topic is reliable.
 */
@FunctionalInterface
public interface TopicKinds {

    boolean isVolatile(String appId, String topic);
}
