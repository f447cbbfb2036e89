package dev.traceflow.builds.internal;

import dev.traceflow.builds.internal.git.GitAuth;
import dev.traceflow.builds.internal.git.GitRemote;
import dev.traceflow.builds.internal.git.GitUnavailable;
import dev.traceflow.builds.internal.git.GitUrl;
import dev.traceflow.builds.internal.git.GitUrlGuard;
import dev.traceflow.builds.internal.git.GitUrlRefused;
import dev.traceflow.builds.internal.git.SshHostKeyCheck;
import dev.traceflow.builds.internal.run.CommandRunner;
import dev.traceflow.builds.internal.run.SandboxedCommandRunner;
import dev.traceflow.TraceFlowProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs one claimed build through its steps (issue 21 item 4): fetch (each source's frozen commit
 * from its bare mirror, verified) → replace ({@link ReplaceStep}) → build (each
 * source's argument list through the {@link CommandRunner}, in build order, each reading the checkouts of the sources
 * it depends on and writing only its own) → package (tar.gz with a
 * manifest) → output (the artifact store) → verify (the stored archive's hash and manifest). Each
 * step begins and ends in the build's log and its reporter together ({@link StageLog}).
 */
@Component
class BuildExecutor {

    /** How the run ended. @param reason null on success */
    record Result(String status, String reason, String message, String release) {
    }

    /** A running build's handle: cancel ends the running command's process tree and the remaining steps. */
    static final class Execution {
        private volatile boolean canceled;
        private volatile CommandRunner.RunningCommand command;
        private volatile LogBuffer log;

        /**
         * Asks for the log lines waiting in the buffer to be sent, without waiting for the send (the worker's ticker
         * calls it, so a quiet command's lines go out too, and its heartbeats never wait behind a busy log sender).
         *
         * @throws JdbcBuilds.LeaseLost when the last log send found that the attempt lost the build
         */
        void sendLogSoon() {
            LogBuffer l = log;
            if (l != null) {
                l.sendSoon();
            }
        }

        void cancel() {
            canceled = true;
            CommandRunner.RunningCommand c = command;
            if (c != null) {
                c.cancel();
            }
        }

        boolean canceled() {
            return canceled;
        }
    }

    private final GitRemote remote;
    private final GitUrlGuard guard;
    private final CommandRunner runner;
    private final BuildQueueProperties settings;
    private final ReplaceStep replaceStep;
    private final Path workspaces;
    private final Clock clock;
    private final MeterRegistry metrics;

    BuildExecutor(GitRemote remote, GitUrlGuard guard, CommandRunner runner, BuildQueueProperties settings, BuildsProperties limits, TraceFlowProperties properties, Clock clock,
                  MeterRegistry metrics) {
        this.remote = remote;
        this.guard = guard;
        this.runner = runner;
        this.settings = settings;
        this.replaceStep = new ReplaceStep(limits);
        this.workspaces = (settings.workspacesDir() != null ? settings.workspacesDir()
                : BuildWorkspaces.defaultDir(properties.dataDir(), SandboxedCommandRunner.runsAsRoot())).toAbsolutePath().normalize();
        this.clock = clock;
        this.metrics = metrics;
    }

    /** The release a successful build defines: the last-built source's version and the build ({@code v1.2.0+build.1a2b3c4d}). */
    static String releaseName(Build b) {
        JsonNode sources = CanonicalJson.JSON.readTree(b.inputs()).path("sources");
        String ref = sources.isEmpty() ? "build" : sources.get(sources.size() - 1).path("ref").asString("build");
        return ref + "+build." + b.id().substring(0, 8);
    }

    /**
     * Runs the steps. Never throws for a build that fails; {@link JdbcBuilds.LeaseLost} passes through
     * (the attempt lost the build: nothing more may be written for it).
     */
    Result run(Build.Claim claim, FetchSources sources, BuildReporter reporter, Execution execution) {
        Build b = claim.build();
        JsonNode inputs = CanonicalJson.JSON.readTree(b.inputs());
        String release = releaseName(b);
        LogBuffer log = new LogBuffer(reporter, clock, metrics);
        execution.log = log;
        StageLog stages = new StageLog(reporter, log);
        Path workspace = workspaces.resolve(b.id() + "-" + claim.attempt());
        String stage = null;
        try {
            BuildWorkspaces.prepare(workspaces);
            deleteTree(workspace);
            Files.createDirectories(workspace);
            stage = "fetch";
            stages.begin(stage);
            long t0 = System.nanoTime();
            fetch(inputs, sources, workspace, reporter, log);
            metrics.timer("traceflow.builds.step", "step", "fetch").record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
            stages.end(stage, execution);
            stage = "replace";
            stages.begin(stage);
            replaceStep.run(inputs, workspace, b, release, claim.attempt(), log);
            stages.end(stage, execution);
            stage = "build";
            stages.begin(stage);
            t0 = System.nanoTime();
            build(inputs, workspace, b, release, log, execution);
            metrics.timer("traceflow.builds.step", "step", "build").record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
            stages.end(stage, execution);
            stage = "package";
            stages.begin(stage);
            Path archive = workspaces.resolve(b.id() + "-" + claim.attempt() + ".tar.gz");
            ArtifactPackager.Packed packed = pack(inputs, workspace, b, release, archive);
            log.info("packed " + packed.files() + " files, " + packed.size() + " bytes, sha256 " + packed.sha256());
            stages.end(stage, execution);
            stage = "output";
            stages.begin(stage);
            String ref;
            try {
                ref = reporter.artifact(archive, packed.sha256(), packed.size());
            } catch (ArtifactPackager.BadArchive e) {
                stage = "verify";
                throw new StepFailed("verify_failed", "the stored artifact does not verify: " + e.getMessage());
            } finally {
                Files.deleteIfExists(archive);
            }
            log.info("stored as " + ref);
            stages.end(stage, execution);
            stage = "verify";
            stages.begin(stage);
            // the store read back what it stored and checked its sha256 and manifest inside reporter.artifact
            log.info("artifact verified: sha256 " + packed.sha256() + " matches the stored archive and its manifest");
            stages.endLast(stage);
            return new Result(Build.SUCCESS, null, null, release);
        } catch (StepFailed e) {
            return stopped(stages, stage, e.reason.equals("canceled") ? Build.CANCELED : Build.FAIL, e.reason, e.getMessage());
        } catch (IOException e) {
            return stopped(stages, stage, Build.FAIL, "io_error", stage + " could not read or write files: "
                    + e.getClass().getSimpleName());
        } finally {
            log.close();
            try {
                deleteTree(workspace);
            } catch (IOException ignored) {
                // a workspace left behind is removed by the next attempt of the same build, or by hand
            }
        }
    }

    private static Result stopped(StageLog stages, String stage, String status, String reason, String message) {
        stages.stopped(stage, status, message);
        return new Result(status, reason, message, null);
    }

    private void fetch(JsonNode inputs, FetchSources sources, Path workspace, BuildReporter reporter, LogBuffer log) throws StepFailed {
        List<String> secrets = new ArrayList<>();
        List<Runnable> work = new ArrayList<>();
        for (JsonNode s : inputs.path("sources")) {
            String sourceId = s.path("gitSourceId").asString();
            FetchSources.FetchSource source = sources.find(sourceId).orElseThrow(() -> new StepFailed("fetch_failed", "git source "
                    + s.path("name").asString() + " was deleted"));
            GitUrl url;
            try {
                url = guard.requireAllowed(source.repoUrl());
            } catch (GitUrlRefused e) {
                throw new StepFailed("fetch_failed", "the repoUrl of " + source.name() + " is refused now: " + e.getMessage());
            }
            GitAuth auth = source.auth();
            if (auth != null) {
                secrets.add(auth.secret());
            }
            String name = s.path("name").asString();
            String commit = s.path("commit").asString();
            work.add(() -> {
                // an ssh server must show the source's recorded host key: a build never trusts a first sight
                int files = remote.checkout(sourceId, url, auth, source.defaultBranch(), commit, workspace.resolve(name),
                        settings.maxArtifactBytes().toBytes(), SshHostKeyCheck.of(source.sshHostKey(), false));
                log.info("checked out " + name + " at " + commit + " (" + s.path("ref").asString() + "), " + files + " files, verified");
            });
        }
        if (!secrets.isEmpty()) {
            reporter.secrets(secrets);
        }
        try {
            work.forEach(Runnable::run);
        } catch (GitUnavailable e) {
            throw new StepFailed("fetch_failed", e.getMessage());
        }
    }

    private void build(JsonNode inputs, Path workspace, Build b, String release, LogBuffer log, Execution execution)
            throws StepFailed, IOException {
        Map<String, String> names = new LinkedHashMap<>();
        inputs.path("sources").forEach(s -> names.put(s.path("gitSourceId").asString(), s.path("name").asString()));
        for (JsonNode s : inputs.path("sources")) {
            BuildSpec spec = BuildSpec.parse(s.path("build"));
            String name = s.path("name").asString();
            List<Path> dependencies = dependencies(s, names, workspace);
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
            env.put("HOME", workspace.resolve(name).toString());
            env.put("LANG", "C.UTF-8");
            env.put("CI", "true");
            env.put("TRACEFLOW_BUILD_ID", b.id());
            env.put("TRACEFLOW_RELEASE", release);
            CommandRunner.CommandSpec command = new CommandRunner.CommandSpec(spec.command(), workspace.resolve(name), env, spec.network(),
                    spec.timeout(), settings.maxOutputBytes().toBytes(), settings.maxProcesses(), dependencies);
            log.info("running " + String.join(" ", spec.command()) + " in " + name + (dependencies.isEmpty() ? ""
                    : ", reading " + String.join(", ", dependencies.stream().map(d -> "../" + d.getFileName()).toList())));
            CommandRunner.Outcome outcome;
            try {
                if (execution.canceled()) {
                    throw new StepFailed("canceled", "canceled");
                }
                CommandRunner.RunningCommand running = runner.start(command, (stream, line) -> log.add(stream.equals("stderr") ? "warn"
                        : "info", line));
                execution.command = running;
                if (execution.canceled()) {
                    running.cancel();
                }
                outcome = running.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StepFailed("canceled", "the worker stopped");
            } finally {
                execution.command = null;
            }
            switch (outcome.ending()) {
                case CANCELED -> throw new StepFailed("canceled", "canceled");
                case TIMED_OUT -> throw new StepFailed("timeout", name + ": the command ran longer than " + spec.timeout());
                case OUTPUT_LIMIT -> throw new StepFailed("output_limit", name + ": the command wrote more than "
                        + settings.maxOutputBytes());
                case EXITED -> {
                    if (outcome.exitCode() != 0) {
                        throw new StepFailed("command_failed", name + ": the command exited with " + outcome.exitCode());
                    }
                }
            }
            log.info(name + " built");
        }
    }

    /**
     * The checkouts of the sources {@code source} depends on, built before it (the trigger froze the sources in build
     * order): its build step reads them, output included, at {@code ../<name>} beside its own folder, and cannot
     * write them. Builds frozen before dependencies were recorded have none.
     */
    private static List<Path> dependencies(JsonNode source, Map<String, String> names, Path workspace) throws StepFailed {
        List<Path> dirs = new ArrayList<>();
        for (JsonNode id : source.path("dependencies")) {
            String name = names.get(id.asString());
            if (name == null) {
                throw new StepFailed("command_failed", source.path("name").asString() + " depends on a source the build does not have");
            }
            dirs.add(workspace.resolve(name));
        }
        return dirs;
    }

    private ArtifactPackager.Packed pack(JsonNode inputs, Path workspace, Build b, String release, Path archive)
            throws StepFailed, IOException {
        List<ArtifactPackager.Source> list = new ArrayList<>();
        for (JsonNode s : inputs.path("sources")) {
            String name = s.path("name").asString();
            list.add(new ArtifactPackager.Source(name, workspace.resolve(name), BuildSpec.parse(s.path("build")).artifacts()));
        }
        try {
            return ArtifactPackager.pack(b.id(), release, list, archive, settings.maxArtifactBytes().toBytes());
        } catch (ArtifactPackager.BadArchive e) {
            throw new StepFailed("package_failed", e.getMessage());
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
