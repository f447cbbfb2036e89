package dev.traceflow.builds.internal;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The builds feature's server settings ({@code traceflow.builds.*}, e.g. {@code TRACEFLOW_BUILDS_GIT_TIMEOUT});
 * the platform settings that admins change at run time are {@link BuildSettings}.
 *
 * @param mirrorsDir       where the bare mirror of each git source is kept; default {@code <data-dir>/builds/mirrors}
 * @param gitTimeout       connect timeout and read timeout of each request to a git server
 * @param maxFetchBytes    the most one git response (a pack) may carry
 * @param maxTags          repositories with more tags are refused when their versions are read
 * @param maxBodyBytes     the largest request body the builds routes take (413 beyond)
 * @param maxSchemaBytes   the largest exposed JSON Schema
 * @param maxSchemaDepth   the deepest nesting of a JSON Schema (and of a config)
 * @param maxPatternLength the longest regular expression in a schema or a text replacement
 * @param regexSteps       how many characters one regular expression may look at for one value
 *                         before it is stopped (catastrophic backtracking)
 * @param sshTrustOnFirstUse whether an ssh source without a host key takes (and records) the key its
 *                         server shows at the first connection; when false, an admin must give
 *                         {@code sshHostKey} before the source can be reached
 */
@ConfigurationProperties("traceflow.builds")
public record BuildsProperties(Path mirrorsDir,
                               @DefaultValue("30s") Duration gitTimeout,
                               @DefaultValue("512MB") DataSize maxFetchBytes,
                               @DefaultValue("20000") int maxTags,
                               @DefaultValue("2MB") DataSize maxBodyBytes,
                               @DefaultValue("256KB") DataSize maxSchemaBytes,
                               @DefaultValue("32") int maxSchemaDepth,
                               @DefaultValue("1000") int maxPatternLength,
                               @DefaultValue("1000000") long regexSteps,
                               @DefaultValue("true") boolean sshTrustOnFirstUse) {
}
