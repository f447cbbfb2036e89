package dev.traceflow.builds.internal.run;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How build commands are run ({@code traceflow.builds.sandbox.*}, e.g. {@code TRACEFLOW_BUILDS_SANDBOX_MODE}).
 *
 * @param mode          {@code bwrap} (default): each command in a bubblewrap sandbox; {@code none}: as a plain child
 *                      process of the server, with the limits on time and output but no isolation (for machines
 *                      without bubblewrap; it must be chosen explicitly and is logged as a warning)
 * @param bwrap         the bubblewrap executable
 * @param uid           the unprivileged user the command runs as when the server runs as root (the checkout is
 *                      given to it); otherwise the server's own user, which bubblewrap cannot raise
 * @param gid           that user's group
 * @param gracePeriod   between SIGTERM and SIGKILL when a command is canceled or times out
 * @param tmpSize       the size of the command's private {@code /tmp} (a tmpfs)
 * @param maxLineBytes  longer output lines are split at this many bytes (output that never ends a line stays bounded)
 * @param readOnlyPaths host paths the command may read besides {@code /usr} and the system links (a JDK under
 *                      {@code /opt}, say); each is bound read-only when it exists
 */
@ConfigurationProperties("traceflow.builds.sandbox")
public record SandboxProperties(@DefaultValue("bwrap") Mode mode,
                                @DefaultValue("/usr/bin/bwrap") Path bwrap,
                                @DefaultValue("65534") int uid,
                                @DefaultValue("65534") int gid,
                                @DefaultValue("5s") Duration gracePeriod,
                                @DefaultValue("64MB") DataSize tmpSize,
                                @DefaultValue("16KB") DataSize maxLineBytes,
                                @DefaultValue List<Path> readOnlyPaths) {

    public enum Mode { BWRAP, NONE }

    public SandboxProperties {
        readOnlyPaths = readOnlyPaths == null ? List.of() : List.copyOf(readOnlyPaths);
    }
}
