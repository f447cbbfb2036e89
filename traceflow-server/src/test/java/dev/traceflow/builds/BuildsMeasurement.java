package dev.traceflow.builds;

import dev.traceflow.support.TestAuth;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Measurements for issue 20's targets, not a test (surefire does not pick the name up; run with
 * {@code -Dtest=BuildsMeasurement}): prints figures, asserts only that the work was done.
 * Validate: POST /configs/{id}/validate over HTTP against a 50-property schema (client-side
 * latency, after a warm-up). Versions: a repository with 10,000 tags on a loopback git server,
 * fetched and registered by POST /git-sources/{id}/versions, then listed by GET.
 */
class BuildsMeasurement extends BuildsApiSupport {

    @Test
    void validateLatency_andTenThousandTags() throws Exception {
        try (LoopbackGitServer git = new LoopbackGitServer()) {
            Map<String, Object> properties = new LinkedHashMap<>();
            Map<String, Object> config = new LinkedHashMap<>();
            for (int i = 0; i < 50; i++) {
                switch (i % 5) {
                    case 0 -> {
                        properties.put("s" + i, Map.of("type", "string", "minLength", 1, "maxLength", 200, "pattern", "^[a-z0-9-]+$"));
                        config.put("s" + i, "value-" + i);
                    }
                    case 1 -> {
                        properties.put("n" + i, Map.of("type", "integer", "minimum", 0, "maximum", 1000));
                        config.put("n" + i, i);
                    }
                    case 2 -> {
                        properties.put("b" + i, Map.of("type", "boolean"));
                        config.put("b" + i, true);
                    }
                    case 3 -> {
                        properties.put("e" + i, Map.of("enum", List.of("a", "b", "c")));
                        config.put("e" + i, "b");
                    }
                    default -> {
                        properties.put("u" + i, Map.of("type", "string", "format", "uri"));
                        config.put("u" + i, "https://example.com/" + i);
                    }
                }
            }
            Map<String, Object> schema = Map.of("type", "object", "properties", properties, "required", List.copyOf(properties.keySet()),
                    "additionalProperties", false);
            try (Git repo = git.create("measure", null)) {
                repo.commit().setMessage("one").setAllowEmpty(true).setSign(false).call();
                repo.tag().setName("v1.0.0").call();
            }
            String source = status(post("/git-sources", Map.of("name", TestAuth.uniqueName("m"), "repoUrl", git.url("measure"),
                    "exposedSchema", schema), auth.admin()), 201).path("id").asString();
            status(post("/git-sources/" + source + "/versions", "", auth.admin()), 200);
            String template = status(post("/templates", Map.of("name", TestAuth.uniqueName("mt"), "deployType", "static"), auth.admin()), 201)
                    .path("id").asString();
            status(post("/templates/" + template + "/sources", Map.of("gitSourceId", source, "versionStrategy", Map.of("type", "latest-stable"),
                    "build", Map.of("command", List.of("make"), "artifacts", List.of("dist"))), auth.admin()), 200);
            String app = TestAuth.uniqueName("mapp");
            auth.createApp(app);
            String project = status(post("/projects", Map.of("appId", app, "name", "m", "templateId", template), auth.admin()), 201)
                    .path("id").asString();
            String configId = status(post("/configs", Map.of("projectId", project, "config", config), auth.admin()), 201).path("id").asString();
            String token = auth.admin();
            for (int i = 0; i < 200; i++) {
                status(post("/configs/" + configId + "/validate", "", token), 200);
            }
            int n = 2000;
            long[] nanos = new long[n];
            for (int i = 0; i < n; i++) {
                long t = System.nanoTime();
                status(post("/configs/" + configId + "/validate", "", token), 200);
                nanos[i] = System.nanoTime() - t;
            }
            Arrays.sort(nanos);
            System.out.printf("MEASURE validate over HTTP, 50-property schema, %d calls: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", n,
                    nanos[n / 2] / 1e6, nanos[(int) (n * 0.99)] / 1e6, nanos[n - 1] / 1e6);

            try (Git repo = git.create("tags", null)) {
                List<RevCommit> commits = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    commits.add(repo.commit().setMessage("commit " + i).setAllowEmpty(true).setSign(false).call());
                }
                for (int i = 0; i < 10_000; i++) {
                    RefUpdate u = repo.getRepository().updateRef("refs/tags/v" + (i / 100) + "." + (i % 100) + ".0");
                    u.setNewObjectId(commits.get(i / 100).getId());
                    u.setExpectedOldObjectId(ObjectId.zeroId());
                    u.update();
                }
            }
            String tagged = status(post("/git-sources", Map.of("name", TestAuth.uniqueName("tags"), "repoUrl", git.url("tags")), auth.admin()),
                    201).path("id").asString();
            long t0 = System.nanoTime();
            int fetched = status(post("/git-sources/" + tagged + "/versions", "", token), 200).path("total").asInt();
            long fetch = System.nanoTime() - t0;
            // the whole listing, page by page (1,000 a page)
            long t1 = System.nanoTime();
            int listed = 0;
            String cursor = null;
            do {
                JsonNode page = status(get("/git-sources/" + tagged + "/versions?limit=1000" + (cursor == null ? "" : "&cursor=" + cursor),
                        token), 200);
                listed += page.path("items").size();
                cursor = page.path("nextCursor").asString(null);
            } while (cursor != null);
            long list = System.nanoTime() - t1;
            long t2 = System.nanoTime();
            status(post("/git-sources/" + tagged + "/versions", "", token), 200);
            long refetch = System.nanoTime() - t2;
            assertThat(listed).isEqualTo(fetched).isGreaterThanOrEqualTo(10_000);
            System.out.printf("MEASURE versions of a repository with 10,000 tags: first fetch+register %.2f s, GET list (all pages) %.2f s, "
                    + "fetch again (nothing new) %.2f s, %d versions%n", fetch / 1e9, list / 1e9, refetch / 1e9, listed);
        }
    }
}
