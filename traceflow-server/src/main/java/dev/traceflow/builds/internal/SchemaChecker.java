package dev.traceflow.builds.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.resource.SchemaLoader;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A git source's exposed JSON Schema, checked when it is saved and applied to configs, with the
 * networknt validator (drafts 4 to 2020-12; 2020-12 when {@code $schema} is absent). Schemas are
 * untrusted input: at most {@code maxSchemaBytes} and {@code maxSchemaDepth} deep; {@code $ref}s only
 * inside the schema ({@code #...}; the validator is also given no loader that fetches); every
 * {@code pattern} compiled up front and run with a budget ({@link BoundedRegex}). Compiled schemas
 * are cached by their canonical hash, so that validation costs no parsing.
 */
final class SchemaChecker {

    /** Why a schema is refused: a sentence and the pointer into the schema. */
    static final class BadSchema extends RuntimeException {
        final String pointer;

        BadSchema(String pointer, String message) {
            super(message, null, false, false);
            this.pointer = pointer;
        }
    }

    private static final List<String> REF_KEYWORDS = List.of("$ref", "$dynamicRef", "$recursiveRef");

    private final BuildsProperties limits;
    private final SchemaRegistry registry;
    private final Cache<String, Schema> compiled = Caffeine.newBuilder().maximumSize(1000).build();
    /**
     * Stored schemas by their exact text: validating a config reads its sources' schemas on every call, and
     * parsing, inspecting and canonicalizing a 50-property schema to find it in {@link #compiled} took most of
     * the endpoint's allocation (builds-bench.sh, JFR). Weighed by length so large schemas cannot pile up.
     */
    private final Cache<String, Schema> storedText = Caffeine.newBuilder()
            .maximumWeight(16L * 1024 * 1024).weigher((String text, Schema s) -> text.length()).build();

    SchemaChecker(BuildsProperties limits) {
        this.limits = limits;
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .pathType(PathType.JSON_POINTER)
                .regularExpressionFactory(this::regex)
                .formatAssertionsEnabled(true)
                .build();
        // the default loader reads the drafts' meta-schemas from the jar; nothing is fetched over the network
        this.registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, b -> b
                .schemaRegistryConfig(config)
                .schemaLoader(SchemaLoader.builder().fetchRemoteResources(false).build()));
    }

    private RegularExpression regex(String expression) {
        BoundedRegex r = BoundedRegex.compile(expression, limits.maxPatternLength(), limits.regexSteps());
        return r::find;
    }

    /**
     * Checks a schema and compiles it (or takes it from the cache).
     *
     * @throws BadSchema why the schema cannot be used
     */
    Schema compile(JsonNode schema) {
        if (schema == null || !(schema.isObject() || schema.isBoolean())) {
            throw new BadSchema("", "the schema must be a JSON object (or true / false)");
        }
        String text = CanonicalJson.JSON.writeValueAsString(schema);
        if (text.getBytes(StandardCharsets.UTF_8).length > limits.maxSchemaBytes().toBytes()) {
            throw new BadSchema("", "the schema is larger than " + limits.maxSchemaBytes().toKilobytes() + " KB");
        }
        inspect(schema, "", 0);
        String key = CanonicalJson.sha256(schema);
        return compiled.get(key, k -> {
            try {
                Schema s = registry.getSchema(schema);
                s.initializeValidators();
                return s;
            } catch (SchemaException | IllegalArgumentException e) {
                throw new BadSchema("", "not a valid JSON Schema: " + message(e));
            }
        });
    }

    /**
     * {@link #compile} for a schema stored as text (a source's exposed schema): the same checks on first
     * sight, then the compiled schema by the text alone.
     *
     * @throws BadSchema why the schema cannot be used (not cached: asked again, it is refused again)
     */
    Schema compileStored(String schemaText) {
        Schema hit = storedText.getIfPresent(schemaText);
        if (hit != null) {
            return hit;
        }
        JsonNode parsed;
        try {
            parsed = CanonicalJson.JSON.readTree(schemaText);
        } catch (JacksonException e) {
            throw new BadSchema("", "the schema is not JSON");
        }
        Schema s = compile(parsed);
        storedText.put(schemaText, s);
        return s;
    }

    /** The config's problems against the schema, in the validator's order; empty when valid. */
    List<Problem> validate(Schema schema, JsonNode config) {
        List<Problem> problems = new ArrayList<>();
        if (depth(config, 0) > limits.maxSchemaDepth()) {
            problems.add(new Problem("config", "", "the config is nested deeper than " + limits.maxSchemaDepth() + " levels"));
            return problems;
        }
        List<Error> errors;
        try {
            errors = schema.validate(config);
        } catch (BoundedRegex.TooExpensive e) {
            problems.add(new Problem("config", "", "a pattern of the schema takes too long on this config; the schema needs a simpler pattern"));
            return problems;
        }
        for (Error e : errors) {
            String pointer = e.getInstanceLocation() == null ? "" : e.getInstanceLocation().toString();
            problems.add(new Problem("config", pointer, e.getMessage()));
            if (problems.size() >= 100) {
                break;
            }
        }
        return problems;
    }

    /** Depth, remote references, dialect and patterns, before the validator sees the schema. */
    private void inspect(JsonNode node, String pointer, int depth) {
        if (depth > limits.maxSchemaDepth()) {
            throw new BadSchema(pointer, "the schema is nested deeper than " + limits.maxSchemaDepth() + " levels");
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String key = field.getKey();
                JsonNode value = field.getValue();
                String at = pointer + "/" + key.replace("~", "~0").replace("/", "~1");
                if (REF_KEYWORDS.contains(key) && value.isString() && !value.asString().startsWith("#")) {
                    throw new BadSchema(at, "only references inside the schema (#/...) are allowed; remote $refs are never fetched");
                }
                if (key.equals("$schema") && depth == 0 && value.isString()
                        && SpecificationVersion.fromDialectId(value.asString()).isEmpty()) {
                    throw new BadSchema(at, "unknown $schema; use a JSON Schema draft (4, 6, 7, 2019-09, 2020-12) or leave it out");
                }
                if (key.equals("pattern") && value.isString()) {
                    compilePattern(value.asString(), at);
                }
                if (key.equals("patternProperties") && value.isObject()) {
                    for (String p : value.propertyNames()) {
                        compilePattern(p, at + "/" + p.replace("~", "~0").replace("/", "~1"));
                    }
                }
                inspect(value, at, depth + 1);
            }
        } else if (node.isArray()) {
            int i = 0;
            for (Iterator<JsonNode> it = node.values().iterator(); it.hasNext(); i++) {
                inspect(it.next(), pointer + "/" + i, depth + 1);
            }
        }
    }

    private void compilePattern(String pattern, String pointer) {
        try {
            BoundedRegex.compile(pattern, limits.maxPatternLength(), limits.regexSteps());
        } catch (IllegalArgumentException e) {
            throw new BadSchema(pointer, e.getMessage());
        }
    }

    private static int depth(JsonNode node, int depth) {
        int max = depth;
        if (node.isContainer()) {
            for (JsonNode child : node.values()) {
                max = Math.max(max, depth(child, depth + 1));
                if (max > 1000) {
                    return max;
                }
            }
        }
        return max;
    }

    private static String message(RuntimeException e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.length() > 300 ? m.substring(0, 300) : m;
    }
}
