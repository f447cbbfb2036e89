package dev.traceflow.storage.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;
import dev.traceflow.storage.EventsStored.SessionEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The facts kept per request until its load: the same values as the events, one copy of what they share. */
class StoredFactsTest {

    private static final long T = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();

    /** Each call a new String object, as parsing each event of a request gives. */
    private static String fresh(String s) {
        return new String(s.toCharArray());
    }

    private static Event event(long at, String sessionId, String userId, String release) {
        return Event.builder("app", EventType.PAGEVIEW, at).sessionId(sessionId).userId(userId).release(release)
                .url("https://a.test/").build();
    }

    @Test
    void of_keepsOneCopyOfTheSessionUserAndReleaseItsEventsShare() {
        StoredFacts facts = StoredFacts.of(List.of(
                event(T, fresh("s1"), fresh("u1"), fresh("1.0")),
                event(T + 1, fresh("s1"), fresh("u1"), fresh("1.0")),
                event(T + 2, fresh("s2"), fresh("u1"), fresh("1.1"))));

        SessionEvent[] sessions = facts.sessionEvents();
        assertThat(sessions[1].sessionId()).isEqualTo("s1").isSameAs(sessions[0].sessionId());
        assertThat(sessions[1].user()).isEqualTo("u1").isSameAs(sessions[0].user());
        assertThat(sessions[2].user()).isSameAs(sessions[0].user());
        assertThat(facts.releases()[1]).isEqualTo("1.0").isSameAs(facts.releases()[0]);
        // what differs stays itself
        assertThat(sessions[2].sessionId()).isEqualTo("s2");
        assertThat(facts.releases()[2]).isEqualTo("1.1");
        assertThat(sessions).extracting(SessionEvent::timestamp).containsExactly(T, T + 1, T + 2);
        assertThat(sessions).extracting(SessionEvent::pageView).containsOnly(true);
    }

    @Test
    void of_anEventWithoutSessionOrUser_hasNoSessionEvent_andDoesNotBreakTheSharing() {
        StoredFacts facts = StoredFacts.of(List.of(
                event(T, fresh("s1"), null, null),
                event(T + 1, null, null, null),
                event(T + 2, fresh("s1"), null, fresh("1.0"))));

        SessionEvent[] sessions = facts.sessionEvents();
        assertThat(sessions[1]).isNull();
        assertThat(sessions[2].sessionId()).isSameAs(sessions[0].sessionId());
        assertThat(sessions[2].user()).isNull();
        assertThat(facts.releases()).containsExactly(null, null, "1.0");
    }
}
