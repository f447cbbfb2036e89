package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.storage.ReleaseHealthQueries;

import java.time.Duration;
import java.util.List;

/**
 * {@link ReleaseHealthQueries} in DuckDB SQL over the events table: a session's updates are joined
 * by their {@code sid}, each session folded into one outcome, then counted with the aggregates per
 * release in one statement. Session updates are few next to the other events (one or two per run
 * of the app) and their properties are small, so they are read from the JSON properties column
 * rather than from typed columns every event would pay for at ingest.
 */
final class DuckDbReleaseHealthQueries implements ReleaseHealthQueries {

    /** How long after the range a session's later updates (a crash at 00:30) still count. */
    private static final Duration HORIZON = Duration.ofHours(24);

    private final DuckDbReads reads;
    private final SqlDialect dialect;

    DuckDbReleaseHealthQueries(DuckDbReads reads, SqlDialect dialect) {
        this.reads = reads;
        this.dialect = dialect;
    }

    @Override
    public List<ReleaseHealth> releases(EventQuery q, int limit) {
        Sql sql = new Sql().append("WITH updates AS (\n    SELECT ts, release, user_id, environment, path, browser, os, device_type, country, "
                + dialect.jsonText("properties", "sid") + " AS sid, " + dialect.jsonText("properties", "status") + " AS status, "
                + count("errors") + " AS errors, coalesce(" + dialect.jsonValue("properties", "init") + "::VARCHAR = 'true', false) AS init, "
                + count("exited") + " AS a_exited, " + count("errored") + " AS a_errored, " + count("abnormal") + " AS a_abnormal, "
                + count("crashed") + " AS a_crashed\n    FROM events\n    WHERE ");
        sql.appAndRange("", q.appId(), q.from(), q.to().plus(HORIZON))
                .append(" AND type = 'session_update' AND release IS NOT NULL\n), starts AS (\n"
                        + "    SELECT release, sid FROM updates\n"
                        + "    WHERE sid IS NOT NULL AND init AND ts >= ? AND ts < ?", q.from(), q.to())
                .eventFilters("", q)
                .append("\n    GROUP BY release, sid\n), outcomes AS (\n"
                        + "    SELECT s.release, min(u.user_id) AS did, bool_or(u.status = 'crashed') AS crashed, bool_or(u.status = 'abnormal') AS abnormal,\n"
                        + "           bool_or(u.status IN ('errored', 'unhandled') OR u.errors > 0) AS errored\n"
                        + "    FROM starts s JOIN updates u ON u.sid = s.sid AND u.release = s.release\n"
                        + "    GROUP BY s.release, s.sid\n), counted AS (\n"
                        + "    SELECT release, did, 1 AS n, CASE WHEN crashed THEN 1 ELSE 0 END AS crashed,\n"
                        + "           CASE WHEN NOT crashed AND abnormal THEN 1 ELSE 0 END AS abnormal,\n"
                        + "           CASE WHEN NOT crashed AND NOT abnormal AND errored THEN 1 ELSE 0 END AS errored\n"
                        + "    FROM outcomes\n    UNION ALL\n"
                        + "    SELECT release, user_id, a_exited + a_errored + a_abnormal + a_crashed, a_crashed, a_abnormal, a_errored\n"
                        + "    FROM updates WHERE sid IS NULL AND ts >= ? AND ts < ?", q.from(), q.to())
                .eventFilters("", q)
                .append("\n)\nSELECT release, sum(n) AS sessions, sum(errored), sum(abnormal), sum(crashed), count(DISTINCT did),\n"
                        + "       count(DISTINCT did) FILTER (WHERE crashed > 0)\n"
                        + "FROM counted GROUP BY release HAVING sum(n) > 0 ORDER BY sessions DESC, release LIMIT ?", limit);
        return reads.list(sql, rs -> {
            long sessions = rs.getLong(2);
            long errored = rs.getLong(3);
            long abnormal = rs.getLong(4);
            long crashed = rs.getLong(5);
            return new ReleaseHealth(rs.getString(1), sessions, sessions - errored - abnormal - crashed, errored, abnormal, crashed,
                    rs.getLong(6), rs.getLong(7));
        });
    }

    /** A whole, non-negative count of the properties (truncated, as the reference takes a long of a number); 0 when absent. */
    private String count(String key) {
        return "greatest(coalesce(CAST(trunc(" + dialect.jsonNumber("properties", key) + ") AS BIGINT), 0), 0)";
    }
}
