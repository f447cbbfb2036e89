package dev.traceflow.builds.internal;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * How a bound source is built (run by part 2): the command as an argument list (never a shell
 * string: no word splitting, no expansion), the artifact paths (globs inside the checkout), a
 * timeout and whether the build may reach the network.
 */
record BuildSpec(List<String> command, List<String> artifacts, Duration timeout, boolean network) {

    static final int MAX_ARGS = 64;
    static final int MAX_ARG_LENGTH = 1000;
    static final int MAX_ARTIFACTS = 100;
    static final Duration MAX_TIMEOUT = Duration.ofHours(6);
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    /** @throws IllegalArgumentException with a sentence */
    static BuildSpec parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("build must be an object: {command: [...], artifacts: [...], timeout?, network?}");
        }
        for (String field : node.propertyNames()) {
            if (!List.of("command", "artifacts", "timeout", "network").contains(field)) {
                throw new IllegalArgumentException("build has an unknown field '" + ApiText.excerpt(field) + "'");
            }
        }
        JsonNode command = node.path("command");
        if (!command.isArray() || command.isEmpty() || command.size() > MAX_ARGS) {
            throw new IllegalArgumentException("build.command must be a list of 1-" + MAX_ARGS + " arguments (no shell string)");
        }
        List<String> args = new ArrayList<>();
        for (JsonNode a : command) {
            if (!a.isString() || a.asString().isEmpty() || a.asString().length() > MAX_ARG_LENGTH || a.asString().indexOf('\0') >= 0) {
                throw new IllegalArgumentException("each build.command argument is a string of 1-" + MAX_ARG_LENGTH
                        + " characters without NUL");
            }
            args.add(a.asString());
        }
        JsonNode artifacts = node.path("artifacts");
        if (!artifacts.isArray() || artifacts.isEmpty() || artifacts.size() > MAX_ARTIFACTS) {
            throw new IllegalArgumentException("build.artifacts must list 1-" + MAX_ARTIFACTS + " paths inside the checkout");
        }
        List<String> paths = new ArrayList<>();
        for (JsonNode a : artifacts) {
            String problem = a.isString() ? CheckoutPaths.problem(a.asString()) : "must be a string";
            if (problem != null) {
                throw new IllegalArgumentException("build.artifacts: '" + ApiText.excerpt(a.asString("")) + "' " + problem);
            }
            paths.add(a.asString());
        }
        Duration timeout = DEFAULT_TIMEOUT;
        if (node.has("timeout")) {
            try {
                timeout = Duration.parse(node.path("timeout").asString(""));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("build.timeout must be an ISO-8601 duration such as PT10M");
            }
            if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(MAX_TIMEOUT) > 0) {
                throw new IllegalArgumentException("build.timeout must be between PT1S and PT6H");
            }
        }
        JsonNode network = node.path("network");
        if (!network.isMissingNode() && !network.isBoolean()) {
            throw new IllegalArgumentException("build.network must be true or false");
        }
        return new BuildSpec(List.copyOf(args), List.copyOf(paths), timeout, network.asBoolean(false));
    }

    JsonNode toJson() {
        ObjectNode n = CanonicalJson.JSON.createObjectNode();
        ArrayNode c = n.putArray("command");
        command.forEach(c::add);
        ArrayNode a = n.putArray("artifacts");
        artifacts.forEach(a::add);
        n.put("timeout", timeout.toString());
        n.put("network", network);
        return n;
    }
}
