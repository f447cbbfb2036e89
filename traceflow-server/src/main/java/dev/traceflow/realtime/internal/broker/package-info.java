/**
 * The realtime broker, independent of any transport and of Spring: topics (per app) with their
 * sequence, epoch, history and recent publish ids; connections with their subscriptions, acks,
 * redeliveries, bounded send queue and limits; the JSON messages of API.md. A transport adapts a
 * socket to a {@link dev.traceflow.realtime.internal.broker.ClientChannel} and hands the client's
 * messages to {@link dev.traceflow.realtime.internal.broker.Connection#receive}; authentication is
 * the transport's, given to the broker as a
 * {@link dev.traceflow.realtime.internal.broker.ConnectionAuth}.
 */
package dev.traceflow.realtime.internal.broker;
