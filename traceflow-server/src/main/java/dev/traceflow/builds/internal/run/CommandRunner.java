package dev.traceflow.builds.internal.run;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs a build step's command, given as an argument list, never through a shell string (issue 21,
 * items 4 and 5). The sandboxed implementation runs it as an unprivileged user with only the checkout
 * writable, without network unless allowed, with limits on processes, time and output.
 */
public interface CommandRunner {

    RunningCommand start(CommandSpec spec, OutputListener output) throws IOException;

    /**
     * @param checkout the only writable tree, and the working directory
     * @param environment the whole environment the command sees (nothing inherited from the server)
     * @param maxOutputBytes output beyond this ends the command ({@link Ending#OUTPUT_LIMIT})
     * @param readOnly directories the command may read, each at its own path, and never write (the checkouts of the
     *                 sources a source depends on, with their build output); the sandbox shows nothing else of the
     *                 build's workspace
     */
    record CommandSpec(List<String> argv, Path checkout, Map<String, String> environment, boolean network,
                       Duration timeout, long maxOutputBytes, int maxProcesses, List<Path> readOnly) {

        public CommandSpec {
            readOnly = List.copyOf(readOnly);
        }

        /** A command that sees nothing of the workspace but its checkout. */
        public CommandSpec(List<String> argv, Path checkout, Map<String, String> environment, boolean network, Duration timeout,
                           long maxOutputBytes, int maxProcesses) {
            this(argv, checkout, environment, network, timeout, maxOutputBytes, maxProcesses, List.of());
        }
    }

    /** Called for each line of output, in order per stream; {@code stream} is {@code stdout} or {@code stderr}. */
    @FunctionalInterface
    interface OutputListener {
        void line(String stream, String line);
    }

    interface RunningCommand {

        /** Waits until the whole process tree has ended and all output has been passed on. */
        Outcome await() throws InterruptedException;

        /** Ends the whole process tree: SIGTERM, then SIGKILL after the grace period. Idempotent. */
        void cancel();
    }

    record Outcome(int exitCode, Ending ending) {}

    enum Ending { EXITED, TIMED_OUT, CANCELED, OUTPUT_LIMIT }
}
