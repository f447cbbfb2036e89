package dev.traceflow.ingest;

import dev.traceflow.core.event.Event;

import java.util.List;

/**
 * What a feature implements to see events the moment ingest accepted them: after the pipeline, once
 * they are durable (journaled), before the client's 202 goes out. The live event topic uses it, so
 * that a page shows events as they arrive rather than when a load makes them queryable.
 * <p>
 * Called on the request's thread with the request's events, which are mutable and belong to the
 * request: read what you need now, keep no reference, never block, never throw (ingest logs and
 * counts a listener that does, and answers the client all the same). A repeat of an already stored
 * {@code eventId} is accepted too; storage de-duplicates it later.
 */
public interface AcceptedEventsListener {

    void accepted(String appId, List<Event> events);
}
