package dev.traceflow.builds.internal.run;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A plain {@link CommandRunner} for the build queue's tests: {@link ProcessBuilder} with the given
 * argument list, working directory and environment only, no sandbox (that is the other helper's
 * runner). Cancel and timeout end the process and its descendants (TERM, then KILL after 2 s).
 */
public class ProcessCommandRunner implements CommandRunner {

    private static final Duration GRACE = Duration.ofSeconds(2);

    @Override
    public RunningCommand start(CommandSpec spec, OutputListener output) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(spec.argv()).directory(spec.checkout().toFile());
        pb.environment().clear();
        pb.environment().putAll(spec.environment());
        Process process = pb.start();
        process.getOutputStream().close();
        AtomicLong bytes = new AtomicLong();
        AtomicReference<Ending> ending = new AtomicReference<>();
        Runnable stop = () -> {
            // the tree as it is now, then the parent first: a shell whose child died first would run its next line
            List<ProcessHandle> tree = process.descendants().toList();
            process.destroy();
            tree.forEach(ProcessHandle::destroy);
            try {
                if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                }
                tree.forEach(ProcessHandle::destroyForcibly);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        Thread out = pump(process.getInputStream(), "stdout", output, bytes, spec.maxOutputBytes(), () -> {
            ending.compareAndSet(null, Ending.OUTPUT_LIMIT);
            stop.run();
        });
        Thread err = pump(process.getErrorStream(), "stderr", output, bytes, spec.maxOutputBytes(), () -> {
            ending.compareAndSet(null, Ending.OUTPUT_LIMIT);
            stop.run();
        });
        return new RunningCommand() {
            @Override
            public Outcome await() throws InterruptedException {
                if (!process.waitFor(spec.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                    ending.compareAndSet(null, Ending.TIMED_OUT);
                    stop.run();
                }
                process.waitFor();
                out.join();
                err.join();
                Ending e = ending.get();
                return new Outcome(process.exitValue(), e == null ? Ending.EXITED : e);
            }

            @Override
            public void cancel() {
                ending.compareAndSet(null, Ending.CANCELED);
                Thread.ofVirtual().start(stop);
            }
        };
    }

    private static Thread pump(InputStream in, String stream, OutputListener output, AtomicLong bytes, long max, Runnable overLimit) {
        return Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (bytes.addAndGet(line.length() + 1L) > max) {
                        overLimit.run();
                        return;
                    }
                    output.line(stream, line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
    }
}
