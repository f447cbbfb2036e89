package dev.traceflow.builds.internal;

import dev.traceflow.builds.internal.run.BuildLogSink;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The log buffer on the thread that reads a command's output: a send that fails (a server that does
 * not answer, a lost lease) never escapes {@code add} (the reader must keep reading), the lines stay
 * with their numbers and go out in order, in batches the worker API takes, once a send works again.
 */
class LogBufferTest {

    /** Accepts or refuses sends as the test says, and records what it accepted. */
    static final class FlakyReporter implements BuildReporter {
        final List<Long> firstSeqs = new ArrayList<>();
        final List<String> lines = new ArrayList<>();
        RuntimeException failure;
        int refused;

        @Override
        public void logs(long firstSeq, List<BuildLogSink.LogLine> batch) {
            if (failure != null) {
                refused++;
                throw failure;
            }
            assertThat(batch.size()).isLessThanOrEqualTo(LogBuffer.BATCH);
            firstSeqs.add(firstSeq);
            batch.forEach(l -> lines.add(l.line()));
        }

        @Override
        public void secrets(Collection<String> secrets) {
        }

        @Override
        public void stageStarted(String stage) {
        }

        @Override
        public void stageEnded(String stage, String status) {
        }

        @Override
        public String artifact(Path archive, String sha256, long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean heartbeat() {
            return false;
        }
    }

    @Test
    void aFailingSend_neverEscapesAdd_andTheLinesGoOutInOrderInBoundedBatchesOnceSendsWork() {
        FlakyReporter reporter = new FlakyReporter();
        LogBuffer log = new LogBuffer(reporter, Clock.systemUTC());
        reporter.failure = new IllegalStateException("server unreachable");
        for (int i = 1; i <= 1500; i++) {
            log.info("line " + i);
        }
        // tried at 200 lines, then only once per further batch: not once per line
        assertThat(reporter.refused).isEqualTo(1500 / LogBuffer.BATCH);
        assertThatThrownBy(log::flush).isSameAs(reporter.failure); // an explicit flush reports it

        reporter.failure = null;
        log.flush();
        assertThat(reporter.lines).hasSize(1500);
        for (int i = 0; i < 1500; i++) {
            assertThat(reporter.lines.get(i)).isEqualTo("line " + (i + 1));
        }
        assertThat(reporter.firstSeqs).startsWith(1L, 201L, 401L).hasSize(8);
        log.info("line 1501");
        log.flush();
        assertThat(reporter.firstSeqs).last().isEqualTo(1501L);
    }

    @Test
    void aLostLease_onAnAutomaticSend_waitsForTheNextFlushToBeReported() {
        FlakyReporter reporter = new FlakyReporter();
        LogBuffer log = new LogBuffer(reporter, Clock.systemUTC());
        reporter.failure = new JdbcBuilds.LeaseLost("b1", 1);
        for (int i = 0; i < LogBuffer.BATCH; i++) {
            log.info("x");
        }
        assertThat(reporter.refused).isEqualTo(1);
        assertThatThrownBy(log::flush).isInstanceOf(JdbcBuilds.LeaseLost.class);
    }
}
