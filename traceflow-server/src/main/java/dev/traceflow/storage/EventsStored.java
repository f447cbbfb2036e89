package dev.traceflow.storage;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.Sessionizer;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one load into the event store made queryable, published after the load committed (as a
 * Spring application event, on a thread of its own, so listeners never hold up the loader). Every
 * stored event is in exactly one {@code EventsStored}, also events replayed from the journal at
 * start; duplicates are counted, not stored.
 *
 * @param storedAt when the load committed
 * @param apps     one entry per app with events in the load
 */
public record EventsStored(Instant storedAt, List<AppEvents> apps) {

    /**
     * @param appId        the app
     * @param countsByType stored events by type (types without events are absent)
     * @param duplicates   events not stored because their eventId was stored already
     * @param errorGroups  the error groups (fingerprints) that got events, with their first and
     *                     last event time in this load and how many
     * @param releases     the releases the stored events named
     * @param breakdown    page views by path, conversions by type, revenue
     * @param sessionEvents the stored events that belong to a session, in the order stored (those
     *                      with neither a sessionId nor a user are not in it)
     */
    public record AppEvents(String appId, Map<EventType, Long> countsByType, long duplicates,
                            List<ErrorGroupSeen> errorGroups, Set<String> releases, Breakdown breakdown,
                            List<SessionEvent> sessionEvents) {

        /** Events stored for the app in this load, all types. */
        public long stored() {
            return countsByType.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * What the live metrics break the stored events down by (seed 004's realtime increments).
     *
     * @param pageViewsByPath   page views by their path (those without a path are only in the counts)
     * @param conversionsByType conversion and purchase events by {@code properties.conversionType}
     *                          (those without one are only in the counts)
     * @param revenue           the sum of their {@code properties.revenue} (finite numbers only)
     */
    public record Breakdown(Map<String, Long> pageViewsByPath, Map<String, Long> conversionsByType, double revenue) {

        public static final Breakdown NONE = new Breakdown(Map.of(), Map.of(), 0);
    }

    /**
     * What a stored event tells about the session it belongs to (API.md "Meaning of the numbers":
     * events sharing a {@code sessionId}, else the user's events split at the inactivity gap).
     *
     * @param sessionId  the client's session id, or null
     * @param user       userId, else anonymousId; null when the event has a sessionId and neither
     * @param timestamp  event time, epoch ms
     * @param pageView   a {@code pageview} event
     * @param conversion a {@code conversion} or {@code purchase} event
     * @param dimensions the event's own dimensions (a session takes those of its first event)
     */
    public record SessionEvent(String sessionId, String user, long timestamp, boolean pageView, boolean conversion,
                               SessionDimensions dimensions) {

        /** The event's part in its session, or null when it belongs to none (no sessionId, userId or anonymousId). */
        public static SessionEvent of(Event e, SessionDimensions dimensions) {
            String user = e.userId() != null ? e.userId() : e.anonymousId();
            if (e.sessionId() == null && user == null) {
                return null;
            }
            return new SessionEvent(e.sessionId(), user, e.timestamp(), e.type() == EventType.PAGEVIEW,
                    Sessionizer.isConversion(e), dimensions);
        }
    }

    /** An event's dimensions that a session takes from its first event; each may be null (none). */
    public record SessionDimensions(String deviceType, String trafficSource, String browser, String os, String country) {

        public static SessionDimensions of(Event e) {
            return new SessionDimensions(e.deviceType(), e.trafficSource(), e.browser(), e.os(), e.country());
        }
    }

    /**
     * An error group's events in one load; times are event times.
     *
     * @param errorType the {@code errorType} of the load's latest event of the group (by event
     *                  time; of equal times the later in the load), null when it had none
     * @param message   that event's message, may be null
     */
    public record ErrorGroupSeen(String fingerprint, Instant firstSeen, Instant lastSeen, long count, String errorType,
                                 String message) {
    }
}
