package dev.traceflow.core.pipeline;

import dev.traceflow.core.event.Event;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * The events of one ingest request as they pass through the processors.
 *
 * <p>Processors never remove events from the list: they {@linkplain #drop mark} them, so
 * positions stay stable and each drop is reported by the event's request index. Not
 * thread-safe: one batch is processed by one thread.
 */
public final class EventBatch {

    private final String appId;
    private final List<Event> events;
    private final BitSet dropped;
    private final List<Drop> drops = new ArrayList<>();

    /**
     * @param appId  the app the ingest key belongs to
     * @param events the parsed events; the batch takes ownership of the list
     */
    public EventBatch(String appId, List<Event> events) {
        this.appId = appId;
        this.events = events;
        this.dropped = new BitSet(events.size());
    }

    /** The app whose ingest key sent this batch. */
    public String appId() {
        return appId;
    }

    /** Number of positions, dropped ones included. */
    public int size() {
        return events.size();
    }

    public Event get(int position) {
        return events.get(position);
    }

    public boolean isLive(int position) {
        return !dropped.get(position);
    }

    /** Marks the event at {@code position} as not to be stored. Dropping twice keeps the first reason. */
    public void drop(int position, DropReason reason, String code, String message) {
        if (dropped.get(position)) {
            return;
        }
        dropped.set(position);
        drops.add(new Drop(events.get(position).index(), reason, code, message));
    }

    /** Receives a live event and its position in the batch (to {@link #drop} it by). */
    @FunctionalInterface
    public interface LiveEventAction {
        void accept(int position, Event event);
    }

    /**
     * Calls {@code action} for each event not dropped yet, in request order. The action may drop
     * the event it is given; events it drops are skipped by later processors.
     */
    public void forEachLive(LiveEventAction action) {
        for (int i = 0; i < events.size(); i++) {
            if (!dropped.get(i)) {
                action.accept(i, events.get(i));
            }
        }
    }

    /** Drops every live event matching {@code predicate} with the same reason. */
    public void dropIf(Predicate<Event> predicate, DropReason reason, String code, String message) {
        for (int i = 0; i < events.size(); i++) {
            if (!dropped.get(i) && predicate.test(events.get(i))) {
                drop(i, reason, code, message);
            }
        }
    }

    /** The events still to be stored, in request order. */
    public List<Event> liveEvents() {
        List<Event> live = new ArrayList<>(events.size() - dropped.cardinality());
        for (int i = 0; i < events.size(); i++) {
            if (!dropped.get(i)) {
                live.add(events.get(i));
            }
        }
        return live;
    }

    public int liveCount() {
        return events.size() - dropped.cardinality();
    }

    /** Drops recorded by processors, in the order they happened. */
    public List<Drop> drops() {
        return Collections.unmodifiableList(drops);
    }
}
