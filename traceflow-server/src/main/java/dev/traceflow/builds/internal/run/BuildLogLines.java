package dev.traceflow.builds.internal.run;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code build_log_lines} table: one row per stored line of a build's log, by its gapless cursor,
 * with the attempt and seq its worker sent it as.
 */
final class BuildLogLines {

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;
    private final TransactionTemplate tx;
    private volatile Boolean onH2;

    BuildLogLines(JdbcClient jdbc, JdbcTemplate jdbcTemplate, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.tx = tx;
    }

    /** A line to insert, as {@link #insert} takes it. */
    record Row(int attempt, long seq, StoredLine line) {
    }

    /** The build's last cursor stored (0 when it has none). */
    long lastCursor(String buildId) {
        return jdbc.sql("SELECT COALESCE(MAX(cursor), 0) FROM build_log_lines WHERE build_id = ?").param(buildId)
                .query(Long.class).single();
    }

    /** The highest seq stored of one attempt (0 when it has none). */
    long lastSeq(String buildId, int attempt) {
        return jdbc.sql("SELECT COALESCE(MAX(seq), 0) FROM build_log_lines WHERE build_id = ? AND attempt = ?").params(buildId, attempt)
                .query(Long.class).single();
    }

    /** Inserts the rows in one transaction; {@link #writeOut()} makes them survive the server's SIGKILL. */
    void insert(String buildId, List<Row> rows) {
        List<Object[]> params = new ArrayList<>(rows.size());
        for (Row r : rows) {
            StoredLine line = r.line();
            params.add(new Object[]{buildId, line.cursor(), r.attempt(), r.seq(), OffsetDateTime.ofInstant(line.ts(), ZoneOffset.UTC),
                    line.level(), line.stage(), line.line()});
        }
        tx.executeWithoutResult(s -> jdbcTemplate.batchUpdate(
                "INSERT INTO build_log_lines (build_id, cursor, attempt, seq, ts, level, stage, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                params));
    }

    /** Up to {@code limit} lines after cursor {@code after}, in cursor order. */
    List<StoredLine> select(String buildId, long after, int limit) {
        return jdbc.sql("SELECT cursor, ts, level, stage, line FROM build_log_lines WHERE build_id = ? AND cursor > ? "
                        + "ORDER BY cursor LIMIT ?")
                .params(buildId, after, limit).query(BuildLogLines::row).list();
    }

    /** Deletes every line of the build (its log was archived), in the caller's transaction. */
    void deleteAll(String buildId) {
        jdbc.sql("DELETE FROM build_log_lines WHERE build_id = ?").param(buildId).update();
    }

    /**
     * H2 keeps committed changes in memory for up to its write delay (500 ms) before it writes them to
     * its file, so a server killed with SIGKILL would lose lines it already acknowledged; a checkpoint
     * writes every commit made before it out (PostgreSQL's commit is durable by itself: nothing to do).
     */
    void writeOut() {
        Boolean h2 = onH2;
        if (h2 == null) {
            h2 = jdbcTemplate.execute((ConnectionCallback<Boolean>) c -> c.getMetaData().getDatabaseProductName().equals("H2"));
            onH2 = h2;
        }
        if (Boolean.TRUE.equals(h2)) {
            jdbcTemplate.execute("CHECKPOINT");
        }
    }

    private static StoredLine row(ResultSet rs, int n) throws SQLException {
        return new StoredLine(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getString(3), rs.getString(4),
                rs.getString(5));
    }
}
