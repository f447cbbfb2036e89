package dev.traceflow.processing.internal;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.pipeline.DropReason;
import dev.traceflow.core.pipeline.EventBatch;
import dev.traceflow.core.pipeline.EventProcessor;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Drops bot traffic (when {@code traceflow.pipeline.drop-bots}, counted as {@code bot}) and
 * events matching a configured drop rule (counted as {@code filtered}), e.g. the browser noise
 * {@code ResizeObserver loop limit exceeded}. Rules are checked at start: a bad field name or
 * regular expression stops the server with a message saying which rule.
 */
@Component
class FilterProcessor implements EventProcessor {

    static final Set<String> FIELDS = Set.of("message", "errorType", "url", "path", "name", "userAgent",
            "release", "environment", "browser", "os", "deviceType");

    private final boolean dropBots;
    private final List<CompiledRule> rules;

    FilterProcessor(TraceFlowProperties properties) {
        this.dropBots = properties.pipeline().dropBots();
        this.rules = properties.pipeline().dropRules().stream().map(FilterProcessor::compile).toList();
    }

    private static CompiledRule compile(TraceFlowProperties.DropRule rule) {
        EventType type = null;
        if (rule.type() != null && !rule.type().isBlank()) {
            type = EventType.fromWireName(rule.type());
            if (type == null) {
                throw new IllegalStateException("drop rule names unknown event type '" + rule.type() + "'");
            }
        }
        String field = rule.field();
        if (field == null || !(FIELDS.contains(field) || (field.startsWith("properties.") && field.length() > 11))) {
            throw new IllegalStateException("drop rule field must be one of " + FIELDS + " or properties.<key>, not '" + field + "'");
        }
        try {
            return new CompiledRule(type, accessor(field), Pattern.compile(rule.pattern()), field);
        } catch (PatternSyntaxException | NullPointerException e) {
            throw new IllegalStateException("drop rule on '" + field + "' has an invalid pattern: " + rule.pattern());
        }
    }

    private static Function<Event, String> accessor(String field) {
        return switch (field) {
            case "message" -> e -> e.details() instanceof EventDetails.ErrorDetails d ? d.message() : null;
            case "errorType" -> e -> e.details() instanceof EventDetails.ErrorDetails d ? d.errorType() : null;
            case "url" -> Event::url;
            case "path" -> Event::path;
            case "name" -> e -> switch (e.details()) {
                case EventDetails.CustomEventDetails c -> c.name();
                case EventDetails.WebVitalDetails w -> w.name();
                case EventDetails.ResourceDetails r -> r.timing().name();
                default -> null;
            };
            case "userAgent" -> Event::userAgent;
            case "release" -> Event::release;
            case "environment" -> Event::environment;
            case "browser" -> Event::browser;
            case "os" -> Event::os;
            case "deviceType" -> Event::deviceType;
            default -> {
                String key = field.substring("properties.".length());
                yield e -> e.properties().get(key) instanceof Object v ? v.toString() : null;
            }
        };
    }

    @Override
    public String name() {
        return "filter";
    }

    @Override
    public void process(EventBatch batch) {
        batch.forEachLive((position, e) -> {
            if (dropBots && e.bot()) {
                batch.drop(position, DropReason.BOT, "BOT", "the user agent is a bot or crawler");
                return;
            }
            for (CompiledRule rule : rules) {
                if (rule.matches(e)) {
                    batch.drop(position, DropReason.FILTERED, "FILTERED", "dropped by a drop rule on " + rule.fieldName());
                    return;
                }
            }
        });
    }

    private record CompiledRule(EventType type, Function<Event, String> field, Pattern pattern, String fieldName) {
        boolean matches(Event e) {
            if (type != null && e.type() != type) {
                return false;
            }
            String value = field.apply(e);
            return value != null && pattern.matcher(value).find();
        }
    }
}
