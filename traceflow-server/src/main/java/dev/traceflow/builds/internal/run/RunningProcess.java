package dev.traceflow.builds.internal.run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One started command: passes its output on line by line, counts its bytes, and ends its whole
 * process tree on cancel, timeout or too much output.
 * <p>
 * Ending a tree: every process below the started one gets SIGTERM (in the sandbox, the command and
 * what it forked; bubblewrap itself is spared, so that the command's own handlers can run), and
 * after the grace period the started process gets SIGKILL. In the sandbox that is bubblewrap, and
 * its death takes its pid namespace's init with it ({@code --die-with-parent}), whereupon the kernel
 * kills every process left in the namespace: nothing the command forked survives, detached or not.
 * Without the sandbox, the descendants found at that moment get SIGKILL too (a process that was
 * re-parented away before is out of reach: one reason the sandbox is the default).
 */
final class RunningProcess implements CommandRunner.RunningCommand {

    private final Process process;
    private final CommandRunner.OutputListener output;
    private final boolean sandboxed;
    private final Duration grace;
    private final long maxOutputBytes;
    private final RunnerMeters meters;
    private final AtomicLong outputBytes = new AtomicLong();
    private final AtomicReference<CommandRunner.Ending> ending = new AtomicReference<>();
    /** the listener is called by one stream at a time: a listener that is not thread-safe stays safe */
    private final ReentrantLock listenerLock = new ReentrantLock();
    private final Thread stdout;
    private final Thread stderr;
    private final Thread deadline;
    private volatile CommandRunner.Outcome outcome;

    RunningProcess(Process process, CommandRunner.CommandSpec spec, CommandRunner.OutputListener output, boolean sandboxed,
                   Duration grace, int maxLineBytes, RunnerMeters meters) {
        this.process = process;
        this.output = output;
        this.sandboxed = sandboxed;
        this.grace = grace;
        this.maxOutputBytes = spec.maxOutputBytes();
        this.meters = meters;
        this.stdout = Thread.ofVirtual().name("build-stdout-" + process.pid()).start(() -> pump(process.getInputStream(), "stdout", maxLineBytes));
        this.stderr = Thread.ofVirtual().name("build-stderr-" + process.pid()).start(() -> pump(process.getErrorStream(), "stderr", maxLineBytes));
        this.deadline = Thread.ofVirtual().name("build-deadline-" + process.pid()).start(() -> {
            try {
                if (!process.waitFor(spec.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                    end(CommandRunner.Ending.TIMED_OUT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Override
    public CommandRunner.Outcome await() throws InterruptedException {
        if (outcome != null) {
            return outcome;
        }
        int exit = process.waitFor();
        deadline.interrupt();
        if (sandboxed) {
            // bubblewrap's end ended the namespace: the pipes close, the pumps finish
            stdout.join();
            stderr.join();
        } else if (!stdout.join(grace) | !stderr.join(grace)) {
            // a re-parented background process still holds the pipes: stop reading rather than wait for it
            closeQuietly(process.getInputStream());
            closeQuietly(process.getErrorStream());
            stdout.join();
            stderr.join();
        }
        CommandRunner.Ending why = ending.get();
        CommandRunner.Outcome result = new CommandRunner.Outcome(exit, why == null ? CommandRunner.Ending.EXITED : why);
        if (outcome == null) {
            outcome = result;
            meters.ended(result.ending());
        }
        return result;
    }

    @Override
    public void cancel() {
        end(CommandRunner.Ending.CANCELED);
    }

    /** The first reason wins; a process that already ended is left alone. */
    private void end(CommandRunner.Ending why) {
        if (!process.isAlive() || !ending.compareAndSet(null, why)) {
            return;
        }
        List<ProcessHandle> tree = process.descendants().toList();
        for (ProcessHandle p : tree) {
            if (!sandboxed || !isBubblewrap(p)) {
                p.destroy(); // SIGTERM
            }
        }
        if (!sandboxed && tree.isEmpty()) {
            process.destroy();
        }
        Thread.ofVirtual().name("build-kill-" + process.pid()).start(() -> {
            try {
                if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS) && sandboxed) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!sandboxed) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
            }
            process.destroyForcibly(); // SIGKILL; in the sandbox it takes the whole pid namespace along
        });
    }

    private static boolean isBubblewrap(ProcessHandle p) {
        Optional<String> command = p.info().command();
        return command.isPresent() && command.get().endsWith("/bwrap");
    }

    /** Reads one stream: lines end at \n (a \r before it is dropped) or after maxLineBytes bytes. */
    private void pump(InputStream in, String stream, int maxLineBytes) {
        byte[] line = new byte[maxLineBytes];
        byte[] buffer = new byte[8192];
        int length = 0;
        try (in) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (outputBytes.addAndGet(n) > maxOutputBytes) {
                    long allowed = n - (outputBytes.get() - maxOutputBytes);
                    n = (int) Math.max(0, Math.min(n, allowed));
                    for (int i = 0; i < n; i++) {
                        length = take(buffer[i], line, length, stream);
                    }
                    end(CommandRunner.Ending.OUTPUT_LIMIT);
                    break;
                }
                for (int i = 0; i < n; i++) {
                    length = take(buffer[i], line, length, stream);
                }
            }
        } catch (IOException e) {
            // the stream was closed under us (the process is gone): what was read is passed on below
        }
        if (length > 0) {
            emit(stream, line, length);
        }
    }

    private int take(byte b, byte[] line, int length, String stream) {
        if (b == '\n') {
            emit(stream, line, length > 0 && line[length - 1] == '\r' ? length - 1 : length);
            return 0;
        }
        line[length++] = b;
        if (length == line.length) {
            emit(stream, line, length);
            return 0;
        }
        return length;
    }

    private void emit(String stream, byte[] line, int length) {
        String text = new String(line, 0, length, StandardCharsets.UTF_8);
        listenerLock.lock();
        try {
            output.line(stream, text);
        } finally {
            listenerLock.unlock();
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing to unblock a reader: nothing left to do
        }
    }
}
