package dev.traceflow.support;

import dev.traceflow.TraceFlowProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import java.util.Map;

/** Binds {@link TraceFlowProperties} from a few keys, with every other default, as Spring would. */
public final class TestProperties {

    private TestProperties() {
    }

    public static TraceFlowProperties of(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("traceflow", TraceFlowProperties.class);
    }

    public static TraceFlowProperties defaults() {
        return of(Map.of());
    }
}
