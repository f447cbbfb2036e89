package dev.traceflow.it;

import dev.traceflow.support.TestHttp;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Servers the integration tests start as processes: a free port, and waiting until one answers. */
final class ServerProcesses {

    private ServerProcesses() {
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Waits for {@code /healthz} to answer 200; fails with the process's log when it exits or times out. */
    static void awaitHealthy(Process server, TestHttp http, Path log, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new AssertionError("server exited: " + Files.readString(log));
            }
            try {
                if (http.get("/healthz").status() == 200) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // connection refused while starting
            }
            Thread.sleep(200);
        }
        throw new AssertionError("server did not become healthy: " + Files.readString(log));
    }
}
