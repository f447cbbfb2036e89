package dev.traceflow.builds.internal;

import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntSupplier;

/**
 * {@code build_queue_counts}: how many builds are queued, kept in {@link #SLOTS} rows per project (a slotted
 * counter) so that a trigger's capacity check sums rows instead of counting the queue. A change moves one slot,
 * chosen at random, in the caller's transaction; only the sum of a project's slots means anything (one slot may
 * go below zero when a claim takes what a trigger counted in another).
 *
 * <p>Why slots: the moved row stays locked until the transaction commits, and on PostgreSQL that includes the
 * commit's WAL flush. With one row per project, every trigger of a busy project waited for the previous one's
 * commit, one after the other, and its waiting transactions held the connection pool; with {@link #SLOTS} rows two
 * triggers wait for each other only when they pick the same slot.
 *
 * <p>A project's slots exist from its creation ({@link #create}) or all not at all: one made outside
 * {@link JdbcProjects#insert} gets them at its first change, counted from its builds.
 */
final class JdbcQueueCounts {

    /**
     * Rows per project: the chance that a trigger finds its slot held by another uncommitted one is about the number
     * of the project's transactions in flight over this; the admission read sums projects × this many rows.
     */
    static final int SLOTS = 16;

    private final JdbcClient jdbc;
    private final IntSupplier slot;

    JdbcQueueCounts(JdbcClient jdbc) {
        this(jdbc, () -> ThreadLocalRandom.current().nextInt(SLOTS));
    }

    /** @param slot the slot each change moves, {@code 0} to {@code SLOTS - 1} (random but for tests) */
    JdbcQueueCounts(JdbcClient jdbc, IntSupplier slot) {
        this.jdbc = jdbc;
        this.slot = slot;
    }

    /** The slots of a new project, all at zero: there before its first trigger, so that two first triggers never both add them. */
    void create(String projectId) {
        insertSlots(projectId, null);
    }

    /** The queued builds of every project (committed ones only, under READ COMMITTED). */
    long total() {
        return jdbc.sql("SELECT COALESCE(SUM(queued), 0) FROM build_queue_counts").query(Long.class).single();
    }

    /** Moves the project's count of queued builds by {@code delta}, in the caller's transaction. */
    void move(String projectId, int delta) {
        if (jdbc.sql("UPDATE build_queue_counts SET queued = queued + ? WHERE project_id = ? AND slot = ?")
                .params(delta, projectId, slot.getAsInt()).update() == 0) {
            // no slots: the project was made without them; its builds already include this transaction's change
            insertSlots(projectId, "(SELECT count(*) FROM builds WHERE project_id = ? AND status = 'queued')");
        }
    }

    /** One statement: slot 0 holds {@code firstSlot} (SQL with the project's id as its one parameter) or 0, the others 0. */
    private void insertSlots(String projectId, String firstSlot) {
        StringBuilder sql = new StringBuilder("INSERT INTO build_queue_counts (project_id, slot, queued) VALUES ");
        List<Object> params = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            sql.append(i == 0 ? "" : ", ").append("(?, ").append(i).append(", ");
            params.add(projectId);
            if (i == 0 && firstSlot != null) {
                sql.append(firstSlot).append(")");
                params.add(projectId);
            } else {
                sql.append("0)");
            }
        }
        jdbc.sql(sql.toString()).params(params).update();
    }
}
