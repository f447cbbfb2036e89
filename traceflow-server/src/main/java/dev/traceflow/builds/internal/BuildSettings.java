package dev.traceflow.builds.internal;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static dev.traceflow.builds.internal.Rows.instant;
import static dev.traceflow.builds.internal.Rows.time;

/**
 * The builds' platform settings (seed 003 "Settings"): a fixed list of typed settings with
 * defaults, changed at run time by admins and checked on write. Part 2's workers read them.
 */
@Component
class BuildSettings {

    /**
     * One setting.
     *
     * @param check turns a JSON value into the stored one, or throws IllegalArgumentException with a sentence
     */
    record Definition(String name, String type, JsonNode defaultValue, String description, Function<JsonNode, JsonNode> check) {
    }

    record Value(Definition definition, JsonNode value, Instant updatedAt) {
    }

    static final List<Definition> DEFINITIONS = List.of(
            new Definition("build.concurrency", "integer", JsonNodeFactory.instance.numberNode(2),
                    "builds that run at once on one server (1-64)", v -> integer(v, 1, 64)),
            new Definition("build.queueCapacity", "integer", JsonNodeFactory.instance.numberNode(100),
                    "builds that may wait; beyond it new builds are refused with 429 (1-10000)", v -> integer(v, 1, 10_000)),
            new Definition("build.defaultTimeout", "duration", JsonNodeFactory.instance.stringNode("PT10M"),
                    "timeout of a build step whose source gives none (PT1M-PT6H)", v -> duration(v, Duration.ofMinutes(1), Duration.ofHours(6))),
            new Definition("artifacts.store", "enum", JsonNodeFactory.instance.stringNode("local"),
                    "where build artifacts are kept: local (the data directory) or s3", v -> oneOf(v, List.of("local", "s3"))),
            new Definition("artifacts.retentionDays", "integer", JsonNodeFactory.instance.numberNode(30),
                    "days artifacts of builds that are no longer deployed are kept (1-3650)", v -> integer(v, 1, 3650)));

    private final JdbcClient jdbc;
    private final Clock clock;

    BuildSettings(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    static Optional<Definition> definition(String name) {
        return DEFINITIONS.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /** Every setting, stored or default, in the definitions' order. */
    List<Value> all() {
        Map<String, Value> stored = new LinkedHashMap<>();
        jdbc.sql("SELECT name, setting_value, updated_at FROM build_settings").query((rs, n) -> {
            definition(rs.getString("name")).ifPresent(d -> {
                try {
                    stored.put(d.name(), new Value(d, CanonicalJson.JSON.readTree(rs.getString("setting_value")), instant(rs, "updated_at")));
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            return null;
        }).list();
        return DEFINITIONS.stream().map(d -> stored.getOrDefault(d.name(), new Value(d, d.defaultValue(), null))).toList();
    }

    /** Checks and stores a value; call inside the caller's transaction. @throws IllegalArgumentException with a sentence */
    Value set(Definition d, JsonNode value) {
        JsonNode checked = d.check().apply(value);
        Instant now = clock.instant();
        String text = CanonicalJson.JSON.writeValueAsString(checked);
        if (jdbc.sql("UPDATE build_settings SET setting_value = ?, updated_at = ? WHERE name = ?").params(text, time(now), d.name())
                .update() == 0) {
            jdbc.sql("INSERT INTO build_settings (name, setting_value, updated_at) VALUES (?, ?, ?)").params(d.name(), text, time(now))
                    .update();
        }
        return new Value(d, checked, now);
    }

    /** Back to the default. @return whether a value was stored */
    boolean reset(Definition d) {
        return jdbc.sql("DELETE FROM build_settings WHERE name = ?").param(d.name()).update() == 1;
    }

    private static JsonNode integer(JsonNode v, int min, int max) {
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
            throw new IllegalArgumentException("must be a whole number from " + min + " to " + max);
        }
        return JsonNodeFactory.instance.numberNode(v.asInt());
    }

    private static JsonNode duration(JsonNode v, Duration min, Duration max) {
        try {
            Duration d = Duration.parse(v == null || !v.isString() ? "" : v.asString());
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new IllegalArgumentException("must be between " + min + " and " + max);
            }
            return JsonNodeFactory.instance.stringNode(d.toString());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("must be an ISO-8601 duration such as PT10M");
        }
    }

    private static JsonNode oneOf(JsonNode v, List<String> allowed) {
        if (v == null || !v.isString() || !allowed.contains(v.asString())) {
            throw new IllegalArgumentException("must be one of " + String.join(", ", allowed));
        }
        return v;
    }
}
