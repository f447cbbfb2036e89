package dev.traceflow.builds.internal;

import com.networknt.schema.Schema;
import dev.traceflow.builds.internal.git.GitRemote;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /configs/{id}/validate}'s work, without HTTP: resolves every bound source's version
 * by its strategy, checks the config against each source's exposed schema and the replacements
 * against the checkouts, and, when nothing is wrong, computes the snapshot hash: sha256 over the
 * RFC 8785 canonical JSON of {@code {template, resolved, env, config, fileReplacements,
 * textReplacements}}, where {@code template} is its id and its bindings (in build order, without
 * timestamps) and {@code resolved} the commit of each source.
 */
@Component
class ConfigValidation {

    /** The answer: problems, or the hash with the versions it was made from. */
    record Outcome(List<Problem> problems, String snapshotHash, List<Map<String, String>> resolvedVersions) {
        boolean valid() {
            return problems.isEmpty();
        }
    }

    private final JdbcTemplates templates;
    private final JdbcGitSources sources;
    private final JdbcSourceVersions versions;
    private final SchemaChecker schemas;
    private final GitRemote remote;
    private final BuildsProperties limits;

    ConfigValidation(JdbcTemplates templates, JdbcGitSources sources, JdbcSourceVersions versions, SchemaChecker schemas,
                     GitRemote remote, BuildsProperties limits) {
        this.templates = templates;
        this.sources = sources;
        this.versions = versions;
        this.schemas = schemas;
        this.remote = remote;
        this.limits = limits;
    }

    Outcome validate(Template template, ConfigInstance config) {
        List<Problem> problems = new ArrayList<>();
        List<Template.Binding> bound = templates.bindings(template.id());
        if (bound.isEmpty()) {
            problems.add(new Problem("versions", "", "the template binds no git source"));
            return new Outcome(problems, null, List.of());
        }
        List<String> order = BuildGraph.order(bound.stream().map(b -> new BuildGraph.Node(b.gitSourceId(), b.gitSourceId(),
                b.buildOrder(), b.dependencies())).toList()).orElseThrow(() -> new IllegalStateException("stored bindings form a cycle"));
        JsonNode configJson = CanonicalJson.JSON.readTree(config.config());
        Map<String, Replacements.Checkout> checkouts = new LinkedHashMap<>();
        List<Map<String, String>> resolved = new ArrayList<>();
        ArrayNode templateSources = CanonicalJson.JSON.createArrayNode();
        ArrayNode resolvedCommits = CanonicalJson.JSON.createArrayNode();
        for (String sourceId : order) {
            Template.Binding b = bound.stream().filter(x -> x.gitSourceId().equals(sourceId)).findFirst().orElseThrow();
            GitSource source = sources.find(sourceId).orElseThrow(() -> new IllegalStateException("bound source is gone"));
            VersionStrategy.Resolution r = b.versionStrategy().resolve(versions.forResolution(sourceId));
            if (r.version() == null) {
                problems.add(new Problem("versions", "/" + escape(source.name()), r.problem()));
            } else {
                checkouts.put(source.name(), new Replacements.Checkout(sourceId, r.version().commit()));
                resolved.add(Map.of("gitSourceId", sourceId, "ref", r.version().tagOrCommit(), "commit", r.version().commit()));
                resolvedCommits.addObject().put("gitSourceId", sourceId).put("commit", r.version().commit());
            }
            if (source.exposedSchema() != null) {
                try {
                    Schema schema = schemas.compileStored(source.exposedSchema());
                    problems.addAll(schemas.validate(schema, configJson));
                } catch (SchemaChecker.BadSchema e) {
                    problems.add(new Problem("config", "", "the exposed schema of " + source.name() + " is not usable: " + e.getMessage()));
                }
            }
            ObjectNode ts = templateSources.addObject();
            ts.put("gitSourceId", sourceId);
            ts.set("versionStrategy", b.versionStrategy().toJson());
            ts.put("buildOrder", b.buildOrder());
            ts.set("dependencies", CanonicalJson.JSON.valueToTree(b.dependencies()));
            ts.set("build", b.build().toJson());
        }
        List<Replacements.FileReplacement> files = Replacements.files(CanonicalJson.JSON.readTree(config.fileReplacements()));
        List<Replacements.TextReplacement> texts = Replacements.texts(CanonicalJson.JSON.readTree(config.textReplacements()), limits);
        if (checkouts.size() == bound.size()) {
            problems.addAll(Replacements.check(files, texts, checkouts, remote, limits));
        }
        if (!problems.isEmpty()) {
            return new Outcome(problems, null, List.of());
        }
        ObjectNode snapshot = CanonicalJson.JSON.createObjectNode();
        ObjectNode t = snapshot.putObject("template");
        t.put("id", template.id());
        t.put("deployType", template.deployType());
        t.set("sources", templateSources);
        snapshot.set("resolved", resolvedCommits);
        snapshot.put("env", config.env());
        snapshot.set("config", configJson);
        snapshot.set("fileReplacements", Replacements.toJson(files));
        snapshot.set("textReplacements", Replacements.textsToJson(texts));
        return new Outcome(List.of(), CanonicalJson.sha256(snapshot), resolved);
    }

    private static String escape(String segment) {
        return segment.replace("~", "~0").replace("/", "~1");
    }
}
