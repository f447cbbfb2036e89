package dev.traceflow.storage.tests;

import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.storage.ReleaseHealthQueries.ReleaseHealth;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.traceflow.storage.tests.QueryEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Release health on every backend, on a golden dataset worked out by hand (range: 24 Nov, UTC):
 *
 * <pre>
 * release 1.0, production
 *   s1  u1  init 10:00, unhandled 10:05                    errored (an uncaught error that did not end the app)
 *   s2  u1  init 10:10, crashed 10:20                      crashed
 *   s3  u2  init 11:00 (no user yet), exited 11:30 as u2   healthy
 *   s4  --  init 12:00, abnormal 12:10                     abnormal
 *   s5  u3  init 23:50, crashed 00:30 on the 25th          crashed (a later update within 24 h counts)
 *   s6  u9  crashed 13:00, its init on the 23rd            not counted (started before the range)
 *   s0  u9  init 09:00 on the 23rd                         not counted
 *   s10 u1  init 15:00, ok with 1 error 15:05             errored
 *   aggregate u4 at 14:00: exited 3, errored 1, crashed 1  5 sessions
 *   => 11 sessions: 4 healthy, 3 errored, 1 abnormal, 3 crashed; users u1 u2 u3 u4, crashed u1 u3 u4
 * release 2.0
 *   s7  u5  init 10:00 production, exited 10:30            healthy
 *   s8  u6  init 10:00 staging, crashed 10:01              crashed
 * no release: s9 init 10:00, crashed                       not counted
 * </pre>
 */
public abstract class ReleaseHealthQueriesContract extends AnswerContract {

    protected static final String APP = "health";
    private static final Instant D24 = Instant.parse("2026-11-24T00:00:00Z");
    private static final Instant D25 = Instant.parse("2026-11-25T00:00:00Z");

    @BeforeEach
    void storeGoldenDataset() {
        store(update("1.0", "2026-11-24T10:00:00", "u1", props("sid", "s1", "status", "ok", "errors", 0, "init", true)),
                update("1.0", "2026-11-24T10:05:00", "u1", props("sid", "s1", "status", "unhandled")),
                update("1.0", "2026-11-24T10:10:00", "u1", props("sid", "s2", "status", "ok", "errors", 0, "init", true)),
                update("1.0", "2026-11-24T10:20:00", "u1", props("sid", "s2", "status", "crashed", "errors", 1)),
                update("1.0", "2026-11-24T11:00:00", null, props("sid", "s3", "status", "ok", "init", true)),
                update("1.0", "2026-11-24T11:30:00", "u2", props("sid", "s3", "status", "exited")),
                update("1.0", "2026-11-24T12:00:00", null, props("sid", "s4", "status", "ok", "init", true)),
                update("1.0", "2026-11-24T12:10:00", null, props("sid", "s4", "status", "abnormal")),
                update("1.0", "2026-11-24T15:00:00", "u1", props("sid", "s10", "status", "ok", "errors", 0, "init", true)),
                update("1.0", "2026-11-24T15:05:00", "u1", props("sid", "s10", "status", "ok", "errors", 1)),
                update("1.0", "2026-11-24T23:50:00", "u3", props("sid", "s5", "status", "ok", "init", true)),
                update("1.0", "2026-11-25T00:30:00", "u3", props("sid", "s5", "status", "crashed", "errors", 1)),
                update("1.0", "2026-11-23T09:00:00", "u9", props("sid", "s0", "status", "ok", "init", true)),
                update("1.0", "2026-11-23T22:00:00", "u9", props("sid", "s6", "status", "ok", "init", true)),
                update("1.0", "2026-11-24T13:00:00", "u9", props("sid", "s6", "status", "crashed", "errors", 1)),
                update("1.0", "2026-11-24T14:00:00", "u4", props("exited", 3, "errored", 1, "abnormal", 0, "crashed", 1)),
                update("2.0", "2026-11-24T10:00:00", "u5", props("sid", "s7", "status", "ok", "init", true)),
                update("2.0", "2026-11-24T10:30:00", "u5", props("sid", "s7", "status", "exited")),
                update("2.0", "2026-11-24T10:00:00", "u6", props("sid", "s8", "status", "ok", "init", true)).environment("staging"),
                update("2.0", "2026-11-24T10:01:00", "u6", props("sid", "s8", "status", "crashed")).environment("staging"),
                update(null, "2026-11-24T10:00:00", "u7", props("sid", "s9", "status", "crashed", "init", true)),
                // other events of the app are no sessions
                QueryEvents.pageview(APP, Instant.parse("2026-11-24T10:00:00Z"), "/").release("1.0").user("u8"));
    }

    private static QueryEvents update(String release, String at, String user, Map<String, Object> properties) {
        QueryEvents e = event(APP, EventType.SESSION_UPDATE, Instant.parse(at + "Z")).properties(properties)
                .environment("production");
        if (release != null) {
            e.release(release);
        }
        if (user != null) {
            e.user(user);
        }
        return e;
    }

    private static Map<String, Object> props(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void releases_countSessionsByOutcome_andUsers() {
        List<ReleaseHealth> releases = storage.releaseHealth().releases(EventQuery.of(APP, D24, D25), 100);

        assertThat(releases).containsExactly(
                new ReleaseHealth("1.0", 11, 4, 3, 1, 3, 4, 3),
                new ReleaseHealth("2.0", 2, 1, 0, 0, 1, 2, 1));
        assertThat(releases.getFirst().crashFreeSessionRate()).isEqualTo(1 - 3.0 / 11);
        assertThat(releases.getFirst().crashFreeUserRate()).isEqualTo(0.25);
        assertThat(releases.get(1).crashFreeSessionRate()).isEqualTo(0.5);
    }

    @Test
    void filters_applyToTheSessionsStart() {
        Filters production = new Filters(null, "production", null, null, null, null, null);

        List<ReleaseHealth> releases = storage.releaseHealth().releases(EventQuery.of(APP, D24, D25).withFilters(production), 100);

        assertThat(releases).containsExactly(
                new ReleaseHealth("1.0", 11, 4, 3, 1, 3, 4, 3),
                new ReleaseHealth("2.0", 1, 1, 0, 0, 0, 1, 0));
        assertThat(releases.get(1).crashFreeUserRate()).isEqualTo(1.0);
    }

    @Test
    void theLimit_keepsTheReleasesWithMostSessions() {
        assertThat(storage.releaseHealth().releases(EventQuery.of(APP, D24, D25), 1)).extracting(ReleaseHealth::release)
                .containsExactly("1.0");
    }

    @Test
    void aRangeWithoutSessions_answersNoRelease_andRatesWithoutSessionsAreNull() {
        assertThat(storage.releaseHealth().releases(EventQuery.of(APP, D25, D25.plusSeconds(86_400)), 100)).isEmpty();
        assertThat(new ReleaseHealth("x", 0, 0, 0, 0, 0, 0, 0).crashFreeSessionRate()).isNull();
        assertThat(new ReleaseHealth("x", 0, 0, 0, 0, 0, 0, 0).crashFreeUserRate()).isNull();
    }
}
