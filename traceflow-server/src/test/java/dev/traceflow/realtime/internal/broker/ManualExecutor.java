package dev.traceflow.realtime.internal.broker;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * The broker's executor in tests: tasks (each connection's writer, blocking checks) wait until the
 * test runs them, so "the client has not read yet" is a state a test can hold, not a race.
 */
class ManualExecutor implements Executor {

    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            tasks.add(task);
        }
    }

    /** Runs tasks until none is left (a task may submit more). */
    void runAll() {
        runAllExcept(null);
    }

    /** Runs tasks until none is left but the writer of {@code held}: that client does not read. */
    void runAllExcept(Connection held) {
        ArrayDeque<Runnable> kept = new ArrayDeque<>();
        while (true) {
            Runnable next;
            synchronized (this) {
                next = tasks.poll();
            }
            if (next == null) {
                break;
            }
            if (held != null && next instanceof ConnectionWriter writer && writer.connection() == held) {
                kept.add(next);
            } else {
                next.run();
            }
        }
        synchronized (this) {
            tasks.addAll(kept);
        }
    }
}
