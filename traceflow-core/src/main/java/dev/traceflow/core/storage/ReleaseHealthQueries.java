package dev.traceflow.core.storage;

import dev.traceflow.core.query.EventQuery;

import java.util.List;

/**
 * Read capability: release health, from {@code session_update} events (what Sentry SDKs report of
 * every run of an app: its session id, status and errors, or pre-counted aggregates), per release.
 * Thread-safe.
 *
 * <p>Session updates carry in their properties either {@code sid} (the session), {@code status}
 * ({@code ok}, {@code exited}, {@code errored}, {@code unhandled}, {@code crashed}, {@code abnormal}), {@code errors}
 * (errors seen so far) and {@code init} (true on the session's first update); or, for an aggregate
 * of many sessions without ids, the counts {@code exited}, {@code errored}, {@code abnormal} and
 * {@code crashed} (as Sentry's {@code sessions} item: each session in exactly one count). A
 * session's user is the {@code userId} (Sentry's distinct id) of its updates, the least if they
 * differ: an SDK may learn who the user is after the session started; an aggregate's is its own.
 *
 * <p>The numbers, per release:
 * <ul>
 *   <li>A session counts in the range its {@code init} update falls in (its start), and only
 *       when the update matches the query's filters; its outcome is read from all its updates up
 *       to 24 hours after the range ends (a crash late at night still counts for the evening's
 *       session). An aggregate counts in the range its time (its bucket's start) falls in.</li>
 *   <li>Each session is in exactly one of: {@code crashed} (any update says crashed), else
 *       {@code abnormal}, else {@code errored} (an update says errored or unhandled, or counts an
 *       error), else {@code healthy}. {@code unhandled} is what Sentry's SDKs since version 11 say of
 *       an error nobody caught that did not end the app (a page's uncaught error): as in Sentry, an
 *       errored session, not a crash.</li>
 *   <li>{@code users}: distinct users of the counted sessions that have one; {@code crashedUsers}:
 *       those with at least one crashed session.</li>
 *   <li>Crash-free rates: {@code 1 - crashed / sessions} and {@code 1 - crashedUsers / users}, null
 *       when there is nothing to divide by. Abnormal sessions are not crashes (as in Sentry).</li>
 * </ul>
 */
public interface ReleaseHealthQueries {

    /**
     * The releases with sessions in the query, most sessions first, ties by release; updates
     * without a release are not counted.
     *
     * @param limit the most releases to answer, at least 1
     */
    List<ReleaseHealth> releases(EventQuery query, int limit);

    /** One release's sessions and users; {@code healthy + errored + abnormal + crashed = sessions}. */
    record ReleaseHealth(String release, long sessions, long healthy, long errored, long abnormal, long crashed,
                         long users, long crashedUsers) {

        /** 1 - crashed / sessions, or null without sessions. */
        public Double crashFreeSessionRate() {
            return sessions == 0 ? null : 1.0 - (double) crashed / sessions;
        }

        /** 1 - crashedUsers / users, or null without users. */
        public Double crashFreeUserRate() {
            return users == 0 ? null : 1.0 - (double) crashedUsers / users;
        }
    }
}
