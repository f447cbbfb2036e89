/**
 * Realtime (API.md "Realtime", seeds 001 and 003): a topic gateway for browsers and backends with
 * ordered, acknowledged, resumable delivery. Topics belong to apps: a connection reaches the topics
 * of the one app it connected to, a backend's server key those of its app. Every event of a topic
 * gets the next gapless {@code seq} under an {@code epoch}; a bounded history lets a client that
 * reconnects with {@code lastSeq} and {@code epoch} resume with nothing lost or doubled; reliable
 * events are sent again until acknowledged; slow clients are cut off instead of slowing others.
 * The broker core ({@code internal.broker}) knows no transport; {@code /ws} is a WebSocket transport
 * on the main port.
 */
package dev.traceflow.realtime;
