package dev.traceflow.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** The Node.js on the PATH, for the tests that run real JavaScript clients under it. */
public final class NodeJs {

    private NodeJs() {
    }

    /** The major version of {@code node --version}, or 0 when there is no usable node. */
    public static int majorVersion() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && out.startsWith("v")
                    ? Integer.parseInt(out.substring(1, out.indexOf('.'))) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
