package dev.traceflow.builds.internal;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * A build's replace step: file replacements rendered with Mustache, strict (a missing variable fails
 * the step), then text replacements, each of which must match. Every path stays inside the workspace
 * and goes through no symbolic link.
 *
 * <p>Mustache variables: the config's own keys at the top ({@code {{apiUrl}}}) and under
 * {@code config.}; {@code build.id}, {@code build.release}, {@code build.attempt};
 * {@code project.name}, {@code project.customer}; {@code env}.
 */
final class ReplaceStep {

    private final BuildsProperties limits;

    ReplaceStep(BuildsProperties limits) {
        this.limits = limits;
    }

    void run(JsonNode inputs, Path workspace, Build b, String release, int attempt, LogBuffer log) throws StepFailed, IOException {
        Map<String, Object> context = new LinkedHashMap<>();
        @SuppressWarnings("unchecked")
        Map<String, Object> config = CanonicalJson.JSON.convertValue(inputs.path("config"), Map.class);
        context.putAll(config);
        context.put("config", config);
        context.put("env", inputs.path("env").asString());
        context.put("build", Map.of("id", b.id(), "release", release, "attempt", attempt));
        Map<String, Object> project = new LinkedHashMap<>();
        project.put("name", inputs.path("projectName").asString());
        project.put("customer", inputs.path("customer").asString(""));
        context.put("project", project);
        Mustache.Compiler mustache = Mustache.compiler().strictSections(true).escapeHTML(false);
        List<Replacements.FileReplacement> files = Replacements.files(inputs.path("fileReplacements"));
        for (int i = 0; i < files.size(); i++) {
            Replacements.FileReplacement f = files.get(i);
            Path target = inside(workspace, f.path(), "fileReplacements/" + i);
            String rendered;
            try {
                rendered = mustache.compile(f.content()).execute(context);
            } catch (MustacheException e) {
                throw new StepFailed("replace_failed", "fileReplacements/" + i + ": " + ApiText.excerpt(e.getMessage()));
            }
            Files.createDirectories(target.getParent());
            Files.writeString(target, rendered, StandardCharsets.UTF_8);
            log.info("wrote " + f.path());
        }
        List<Replacements.TextReplacement> texts = Replacements.texts(inputs.path("textReplacements"), limits);
        for (int i = 0; i < texts.size(); i++) {
            Replacements.TextReplacement t = texts.get(i);
            Path target = inside(workspace, t.path(), "textReplacements/" + i);
            if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) || Files.size(target) > Replacements.MAX_FILE_BYTES) {
                throw new StepFailed("replace_failed", "textReplacements/" + i + ": " + t.path() + " is not a file of at most "
                        + Replacements.MAX_FILE_BYTES + " bytes");
            }
            String text = Files.readString(target, StandardCharsets.UTF_8);
            String replaced;
            try {
                if (t.regex()) {
                    Matcher m = BoundedRegex.compile(t.search(), limits.maxPatternLength(), limits.regexSteps()).matcher(text);
                    replaced = m.find() ? m.replaceAll(t.replace()) : null;
                } else {
                    replaced = text.contains(t.search()) ? text.replace(t.search(), t.replace()) : null;
                }
            } catch (BoundedRegex.TooExpensive | IllegalArgumentException | IndexOutOfBoundsException e) {
                throw new StepFailed("replace_failed", "textReplacements/" + i + ": the pattern or its replacement cannot be applied");
            }
            if (replaced == null) {
                throw new StepFailed("replace_failed", "textReplacements/" + i + ": the search text is not in " + t.path());
            }
            Files.writeString(target, replaced, StandardCharsets.UTF_8);
            log.info("edited " + t.path());
        }
    }

    /** The replacement's file in the workspace, through no symbolic link. */
    private static Path inside(Path workspace, String path, String at) throws StepFailed {
        String problem = CheckoutPaths.problem(path);
        Path target = workspace.resolve(path).normalize();
        if (problem != null || !target.startsWith(workspace)) {
            throw new StepFailed("replace_failed", at + ": the path " + (problem == null ? "leaves the checkout" : problem));
        }
        for (Path p = target; !p.equals(workspace); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                throw new StepFailed("replace_failed", at + ": the path goes through a symbolic link");
            }
        }
        return target;
    }
}
