package dev.traceflow.core.query;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sessions formed from events in plain Java: the reference for SQL backends, which compute the same
 * in their own language (API.md "Meaning of the numbers"):
 *
 * <ul>
 *   <li>events with a {@code sessionId} form one session per id (per app);</li>
 *   <li>events without one are sessionised per user (userId, else anonymousId): a gap of more than
 *       {@link #INACTIVITY_GAP} between consecutive events starts a new session;</li>
 *   <li>events with neither a session nor a user id belong to no session (there is nothing that ties
 *       them to a visitor); they still count as events and page views.</li>
 * </ul>
 *
 * Events are taken in time order, ties in the order they were stored. A session belongs to the
 * range in which it starts; its events are gathered from {@link #HORIZON} before the range to
 * {@link #HORIZON} after it, so a session longer than that is cut (the bound keeps every session
 * query a bounded scan).
 */
public final class Sessionizer {

    public static final Duration INACTIVITY_GAP = Duration.ofMinutes(30);
    public static final Duration HORIZON = Duration.ofHours(24);

    private Sessionizer() {
    }

    /**
     * @param events one app's events in storage order, gathered over the range widened by the horizon
     * @return every session, in order of start (ties by id)
     */
    public static List<Session> sessions(List<Event> events) {
        List<Event> ordered = new ArrayList<>(events);
        // events of one time in type order, then storage order (List.sort is stable): a backend
        // may store a closed range one type after the other (DuckDB's compaction), so storage
        // order is only kept within a type
        ordered.sort(Comparator.comparingLong(Event::timestamp).thenComparing(e -> e.type().wireName()));
        Map<String, List<Event>> byClientSession = new LinkedHashMap<>();
        Map<String, List<Event>> byUser = new LinkedHashMap<>();
        for (Event e : ordered) {
            if (e.sessionId() != null) {
                byClientSession.computeIfAbsent(e.sessionId(), k -> new ArrayList<>()).add(e);
            } else {
                String user = e.userId() != null ? e.userId() : e.anonymousId();
                if (user != null) {
                    byUser.computeIfAbsent(user, k -> new ArrayList<>()).add(e);
                }
            }
        }
        List<Session> sessions = new ArrayList<>();
        byClientSession.forEach((id, list) -> sessions.add(session(id, list, null)));
        long gap = INACTIVITY_GAP.toMillis();
        byUser.forEach((user, list) -> {
            int begin = 0;
            for (int i = 1; i <= list.size(); i++) {
                if (i == list.size() || list.get(i).timestamp() - list.get(i - 1).timestamp() > gap) {
                    List<Event> part = list.subList(begin, i);
                    sessions.add(session(computedId(user, part.getFirst().timestamp()), part, user));
                    begin = i;
                }
            }
        });
        sessions.sort(Comparator.comparingLong((Session s) -> s.summary().start()).thenComparing(s -> s.summary().id()));
        return sessions;
    }

    /**
     * The id of a session formed at query time: {@code ~} and the first 16 hex digits of the MD5 of
     * {@code user + "|" + start epoch ms}. Stable across queries and backends (SQL computes the same).
     */
    public static String computedId(String user, long startMillis) {
        try {
            byte[] md5 = MessageDigest.getInstance("MD5")
                    .digest((user + "|" + startMillis).getBytes(StandardCharsets.UTF_8));
            return "~" + HexFormat.of().formatHex(md5).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JDK", e);
        }
    }

    private static Session session(String id, List<Event> events, String user) {
        Event first = events.getFirst();
        String userId = null;
        String anonymousId = null;
        long pageViews = 0;
        long conversions = 0;
        double revenue = 0;
        String entry = null;
        String exit = null;
        for (Event e : events) {
            if (userId == null) {
                userId = e.userId();
            }
            if (anonymousId == null) {
                anonymousId = e.anonymousId();
            }
            if (e.type() == EventType.PAGEVIEW) {
                pageViews++;
                if (entry == null && pageViews == 1) {
                    entry = e.path();
                }
                exit = e.path();
            }
            if (isConversion(e)) {
                conversions++;
                revenue += revenue(e);
            }
        }
        if (pageViews == 0) {
            exit = null;
        }
        String who = user != null ? user : userId != null ? userId : anonymousId != null ? anonymousId : id;
        SessionSummary summary = new SessionSummary(id, who, userId, first.timestamp(), events.getLast().timestamp(),
                pageViews, events.size(), conversions, revenue, entry, exit, first.browser(), first.os(),
                first.deviceType(), first.country(), first.trafficSource(), first.release(), first.environment());
        return new Session(summary, List.copyOf(events));
    }

    /** {@code conversion} or {@code purchase}. */
    public static boolean isConversion(Event e) {
        return e.type() == EventType.CONVERSION || e.type() == EventType.PURCHASE;
    }

    /** {@code properties.revenue} when it is a number, else 0. */
    public static double revenue(Event e) {
        return e.properties().get("revenue") instanceof Number n ? n.doubleValue() : 0;
    }

    /** A session and its events in time order. */
    public record Session(SessionSummary summary, List<Event> events) {
    }
}
