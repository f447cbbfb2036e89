package dev.traceflow.builds.internal;

import dev.traceflow.builds.internal.git.GitRemote;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;

/**
 * A config's file replacements ({@code [{path, content}]}, content a Mustache template) and text
 * replacements ({@code [{path, search, replace, regex?}]}), checked before anything runs. Sources
 * are checked out side by side, each in a folder named after the git source, so a path's first
 * segment names the source ({@code shop-web/src/config.json}).
 */
final class Replacements {

    static final int MAX_ITEMS = 200;
    static final int MAX_CONTENT_CHARS = 1_000_000;
    static final int MAX_SEARCH_CHARS = 10_000;
    static final int MAX_REPLACE_CHARS = 100_000;
    /** Files larger than this are not searched: the replacement is refused. */
    static final int MAX_FILE_BYTES = 5 * 1024 * 1024;

    record FileReplacement(String path, String content) {
    }

    record TextReplacement(String path, String search, String replace, boolean regex) {
    }

    /** Where a source's checkout is and which commit it is. */
    record Checkout(String gitSourceId, String commit) {
    }

    private Replacements() {
    }

    /** @throws IllegalArgumentException with a sentence naming the item */
    static List<FileReplacement> files(JsonNode node) {
        List<FileReplacement> out = new ArrayList<>();
        for (JsonNode item : items(node, "fileReplacements")) {
            int i = out.size();
            fields(item, "fileReplacements/" + i, List.of("path", "content"));
            String path = path(item, "fileReplacements/" + i);
            JsonNode content = item.path("content");
            if (!content.isString() || content.asString().length() > MAX_CONTENT_CHARS) {
                throw new IllegalArgumentException("fileReplacements/" + i + "/content must be a string of at most " + MAX_CONTENT_CHARS
                        + " characters (a Mustache template)");
            }
            out.add(new FileReplacement(path, content.asString()));
        }
        return out;
    }

    /** @throws IllegalArgumentException with a sentence naming the item */
    static List<TextReplacement> texts(JsonNode node, BuildsProperties limits) {
        List<TextReplacement> out = new ArrayList<>();
        for (JsonNode item : items(node, "textReplacements")) {
            String at = "textReplacements/" + out.size();
            fields(item, at, List.of("path", "search", "replace", "regex"));
            String path = path(item, at);
            JsonNode search = item.path("search");
            if (!search.isString() || search.asString().isEmpty() || search.asString().length() > MAX_SEARCH_CHARS) {
                throw new IllegalArgumentException(at + "/search must be a string of 1-" + MAX_SEARCH_CHARS + " characters");
            }
            JsonNode replace = item.path("replace");
            if (!replace.isString() || replace.asString().length() > MAX_REPLACE_CHARS) {
                throw new IllegalArgumentException(at + "/replace must be a string of at most " + MAX_REPLACE_CHARS + " characters");
            }
            JsonNode regex = item.path("regex");
            if (!regex.isMissingNode() && !regex.isBoolean()) {
                throw new IllegalArgumentException(at + "/regex must be true or false");
            }
            if (regex.asBoolean(false)) {
                try {
                    BoundedRegex.compile(search.asString(), limits.maxPatternLength(), limits.regexSteps());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(at + "/search: " + e.getMessage());
                }
            }
            out.add(new TextReplacement(path, search.asString(), replace.asString(), regex.asBoolean(false)));
        }
        return out;
    }

    static JsonNode toJson(List<FileReplacement> files) {
        ArrayNode a = CanonicalJson.JSON.createArrayNode();
        files.forEach(f -> a.addObject().put("path", f.path()).put("content", f.content()));
        return a;
    }

    static JsonNode textsToJson(List<TextReplacement> texts) {
        ArrayNode a = CanonicalJson.JSON.createArrayNode();
        for (TextReplacement t : texts) {
            ObjectNode o = a.addObject().put("path", t.path()).put("search", t.search()).put("replace", t.replace());
            o.put("regex", t.regex());
        }
        return a;
    }

    /**
     * Conflicts and paths against the checkouts: the first folder names a bound source; no path
     * through a symbolic link or submodule; at most one replacement of a whole file, and none of
     * its text besides; every search found, and no two text replacements on one region of a file.
     *
     * @param checkouts by source name
     */
    static List<Problem> check(List<FileReplacement> files, List<TextReplacement> texts, Map<String, Checkout> checkouts,
                               GitRemote remote, BuildsProperties limits) {
        List<Problem> problems = new ArrayList<>();
        Map<String, Integer> wholeFiles = new HashMap<>();
        for (int i = 0; i < files.size(); i++) {
            String pointer = "/" + i + "/path";
            FileReplacement f = files.get(i);
            Integer earlier = wholeFiles.putIfAbsent(f.path(), i);
            if (earlier != null) {
                problems.add(new Problem("fileReplacements", pointer, "replaces the same file as fileReplacements/" + earlier));
                continue;
            }
            entry(f.path(), checkouts, remote, false).ifPresent(m -> problems.add(new Problem("fileReplacements", pointer, m)));
        }
        record Region(int index, int start, int end) {
        }
        Map<String, List<Region>> regions = new LinkedHashMap<>();
        for (int i = 0; i < texts.size(); i++) {
            String pointer = "/" + i;
            TextReplacement t = texts.get(i);
            if (wholeFiles.containsKey(t.path())) {
                problems.add(new Problem("textReplacements", pointer + "/path", "the file is replaced whole by fileReplacements/"
                        + wholeFiles.get(t.path()) + "; a text replacement in it conflicts"));
                continue;
            }
            Located located = locate(t.path(), checkouts, remote, true);
            if (located.problem() != null) {
                problems.add(new Problem("textReplacements", pointer + "/path", located.problem()));
                continue;
            }
            String text = new String(located.content(), StandardCharsets.UTF_8);
            List<Region> found = new ArrayList<>();
            try {
                if (t.regex()) {
                    Matcher m = BoundedRegex.compile(t.search(), limits.maxPatternLength(), limits.regexSteps()).matcher(text);
                    while (m.find() && found.size() <= 10_000) {
                        found.add(new Region(i, m.start(), Math.max(m.end(), m.start() + 1)));
                    }
                } else {
                    for (int at = text.indexOf(t.search()); at >= 0 && found.size() <= 10_000; at = text.indexOf(t.search(), at + 1)) {
                        found.add(new Region(i, at, at + t.search().length()));
                    }
                }
            } catch (BoundedRegex.TooExpensive e) {
                problems.add(new Problem("textReplacements", pointer + "/search", "the pattern takes too long on this file"));
                continue;
            }
            if (found.isEmpty()) {
                problems.add(new Problem("textReplacements", pointer + "/search", "not found in " + t.path()));
                continue;
            }
            regions.computeIfAbsent(t.path(), k -> new ArrayList<>()).addAll(found);
        }
        for (List<Region> inFile : regions.values()) {
            inFile.sort(Comparator.comparingInt(Region::start).thenComparingInt(Region::end));
            Region reach = null;
            for (Region r : inFile) {
                if (reach != null && r.start() < reach.end() && r.index() != reach.index()) {
                    problems.add(new Problem("textReplacements", "/" + r.index(), "overlaps textReplacements/" + reach.index()
                            + " in the same region of " + texts.get(r.index()).path()));
                    break;
                }
                if (reach == null || r.end() > reach.end()) {
                    reach = r;
                }
            }
        }
        return problems;
    }

    private record Located(byte[] content, String problem) {
    }

    private static Optional<String> entry(String path, Map<String, Checkout> checkouts, GitRemote remote, boolean mustExist) {
        return Optional.ofNullable(locate(path, checkouts, remote, mustExist).problem());
    }

    private static Located locate(String path, Map<String, Checkout> checkouts, GitRemote remote, boolean mustExist) {
        int slash = path.indexOf('/');
        String sourceName = slash < 0 ? path : path.substring(0, slash);
        Checkout checkout = checkouts.get(sourceName);
        if (checkout == null || slash < 0) {
            return new Located(null, "the path's first folder must name one of the template's sources (" + String.join(", ",
                    checkouts.keySet()) + "): sources are checked out side by side");
        }
        GitRemote.TreeEntry e;
        try {
            e = remote.entry(checkout.gitSourceId(), checkout.commit(), path.substring(slash + 1), MAX_FILE_BYTES);
        } catch (IOException ex) {
            return new Located(null, "the checkout of " + sourceName + " could not be read");
        }
        return switch (e.kind()) {
            case SYMLINK -> new Located(null, "goes through a symbolic link in the checkout");
            case SUBMODULE -> new Located(null, "goes into a submodule");
            case DIRECTORY -> new Located(null, "is a folder in the checkout, not a file");
            case NOT_FETCHED -> new Located(null, "the commit of " + sourceName + " is not fetched; fetch the source's versions");
            case MISSING -> mustExist ? new Located(null, "no such file in " + sourceName + " at " + checkout.commit().substring(0, 12))
                    : new Located(null, null);
            case FILE -> e.content() == null && mustExist ? new Located(null, "the file is larger than " + MAX_FILE_BYTES + " bytes")
                    : new Located(e.content(), null);
        };
    }

    private static List<JsonNode> items(JsonNode node, String field) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return List.of();
        }
        if (!node.isArray() || node.size() > MAX_ITEMS) {
            throw new IllegalArgumentException(field + " must be a list of at most " + MAX_ITEMS + " items");
        }
        List<JsonNode> out = new ArrayList<>();
        node.forEach(out::add);
        return out;
    }

    private static void fields(JsonNode item, String at, List<String> allowed) {
        if (!item.isObject()) {
            throw new IllegalArgumentException(at + " must be an object");
        }
        for (String f : item.propertyNames()) {
            if (!allowed.contains(f)) {
                throw new IllegalArgumentException(at + " has an unknown field '" + ApiText.excerpt(f) + "'");
            }
        }
    }

    private static String path(JsonNode item, String at) {
        JsonNode path = item.path("path");
        String problem = path.isString() ? CheckoutPaths.problem(path.asString()) : "is missing";
        if (problem != null) {
            throw new IllegalArgumentException(at + "/path " + problem);
        }
        return path.asString();
    }
}
