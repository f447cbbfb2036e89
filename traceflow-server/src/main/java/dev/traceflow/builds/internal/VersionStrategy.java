package dev.traceflow.builds.internal;

import org.semver4j.Semver;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * How a bound source's version is chosen (API.md "Builds"): a fixed tag or commit, the latest
 * stable tag (highest semver that is not a pre-release), or the highest tag in an npm-style semver
 * range ({@code ^1.2}, {@code ~1.4.0}, {@code >=2 <3}). Tags are read as semver with or without a
 * leading {@code v}; tags that are no semver are only reachable as fixed refs. Versions marked
 * unusable are never chosen.
 */
sealed interface VersionStrategy {

    Pattern REF = Pattern.compile("[A-Za-z0-9._/+-]{1,200}");
    Pattern RANGE = Pattern.compile("[0-9A-Za-z.^~<>=*|+ -]{1,100}");
    Pattern SHA_PREFIX = Pattern.compile("[0-9a-f]{7,40}");

    record Fixed(String ref) implements VersionStrategy {
    }

    record LatestStable() implements VersionStrategy {
    }

    record Range(String range) implements VersionStrategy {
    }

    /** The chosen version, or why there is none (a sentence). */
    record Resolution(SourceVersion version, String problem) {
    }

    /** @throws IllegalArgumentException with a sentence saying what is wrong */
    static VersionStrategy parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("versionStrategy must be an object with a type: fixed, latest-stable or range");
        }
        String type = node.path("type").asString("");
        for (String field : node.propertyNames()) {
            if (!List.of("type", "ref", "range").contains(field)) {
                throw new IllegalArgumentException("versionStrategy has an unknown field '" + ApiText.excerpt(field) + "'");
            }
        }
        return switch (type) {
            case "fixed" -> {
                String ref = node.path("ref").asString("");
                if (!REF.matcher(ref).matches() || ref.startsWith("-") || ref.contains("..")) {
                    throw new IllegalArgumentException("a fixed versionStrategy needs ref: a tag name or a commit SHA");
                }
                yield new Fixed(ref);
            }
            case "latest-stable" -> new LatestStable();
            case "range" -> {
                String range = node.path("range").asString("").trim();
                if (!RANGE.matcher(range).matches()) {
                    throw new IllegalArgumentException("a range versionStrategy needs range: an npm-style semver range such as ^1.2");
                }
                try {
                    Semver.ZERO.satisfies(range);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("range '" + range + "' is not a semver range");
                }
                yield new Range(range);
            }
            default -> throw new IllegalArgumentException("versionStrategy.type must be fixed, latest-stable or range");
        };
    }

    default JsonNode toJson() {
        ObjectNode n = CanonicalJson.JSON.createObjectNode();
        switch (this) {
            case Fixed f -> n.put("type", "fixed").put("ref", f.ref());
            case LatestStable l -> n.put("type", "latest-stable");
            case Range r -> n.put("type", "range").put("range", r.range());
        }
        return n;
    }

    /** Chooses among a source's registered versions. */
    default Resolution resolve(List<SourceVersion> versions) {
        List<SourceVersion> usable = versions.stream().filter(SourceVersion::usable).toList();
        return switch (this) {
            case Fixed f -> fixed(f.ref(), versions, usable);
            case LatestStable l -> highest(usable, v -> v.getPreRelease().isEmpty(),
                    "no usable tag is a stable semver version (fetch the versions, or tag a release)");
            case Range r -> highest(usable, v -> v.satisfies(r.range()), "no usable tag matches the range '" + r.range() + "'");
        };
    }

    private static Resolution fixed(String ref, List<SourceVersion> all, List<SourceVersion> usable) {
        Optional<SourceVersion> exact = all.stream().filter(v -> v.tagOrCommit().equals(ref)).findFirst();
        if (exact.isEmpty() && SHA_PREFIX.matcher(ref.toLowerCase(Locale.ROOT)).matches()) {
            List<SourceVersion> byCommit = all.stream().filter(v -> v.commit().startsWith(ref.toLowerCase(Locale.ROOT)))
                    .map(v -> v).toList();
            if (byCommit.stream().map(SourceVersion::commit).distinct().count() > 1) {
                return new Resolution(null, "the commit prefix '" + ref + "' is ambiguous");
            }
            exact = byCommit.stream().filter(SourceVersion::usable).findFirst().or(() -> byCommit.stream().findFirst());
        }
        if (exact.isEmpty()) {
            return new Resolution(null, "'" + ref + "' is no registered version of this source (fetch the versions first)");
        }
        if (!usable.contains(exact.get())) {
            return new Resolution(null, "'" + ref + "' is marked unusable");
        }
        return new Resolution(exact.get(), null);
    }

    private static Resolution highest(List<SourceVersion> usable, Predicate<Semver> accept, String none) {
        return usable.stream().filter(v -> v.kind().equals("tag"))
                .map(v -> new Object[]{v, semver(v.tagOrCommit())})
                .filter(p -> p[1] != null && accept.test((Semver) p[1]))
                .max(Comparator.comparing(p -> (Semver) p[1]))
                .map(p -> new Resolution((SourceVersion) p[0], null))
                .orElse(new Resolution(null, none));
    }

    /** A tag as semver ({@code v1.2.3} or {@code 1.2.3}), or null. */
    static Semver semver(String tag) {
        return Semver.parse(tag.startsWith("v") || tag.startsWith("V") ? tag.substring(1) : tag);
    }
}
