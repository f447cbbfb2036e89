package dev.traceflow.ingest;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.pipeline.Drop;

import java.util.ArrayList;
import java.util.List;

/**
 * What a parser made of a body: the events it could build and, by index, those it could not.
 *
 * @param total the number of events the body held
 */
record ParsedEvents(List<Event> events, List<Drop> drops, int total) {

    static ParsedEvents empty() {
        return new ParsedEvents(new ArrayList<>(), new ArrayList<>(), 0);
    }
}
