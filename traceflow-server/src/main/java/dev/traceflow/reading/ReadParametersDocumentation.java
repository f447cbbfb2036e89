package dev.traceflow.reading;

import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.BooleanSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.stereotype.Component;
import org.springframework.web.method.HandlerMethod;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the query parameters of {@link ReadParameters} endpoints into the OpenAPI document, once
 * for all of them, with a schema each (a parameter without one is invalid OpenAPI), and drops the
 * map parameter springdoc would otherwise show. Gives every other parameter described without a
 * schema a text one.
 */
@Component
class ReadParametersDocumentation implements OperationCustomizer {

    private static final Map<String, String> COMMON = new LinkedHashMap<>();
    private static final Map<String, String> SERIES = new LinkedHashMap<>();

    static {
        COMMON.put("appId", "The app to read (required). 404 when it does not exist or you have no role on it.");
        COMMON.put("from", "Start of the range, inclusive: ISO-8601 or epoch ms. Default: 24 hours before `to`.");
        COMMON.put("to", "End of the range, exclusive: ISO-8601 or epoch ms. Default: now.");
        COMMON.put("release", "Only this release (exact match).");
        COMMON.put("environment", "Only this environment (exact match).");
        COMMON.put("path", "Only this URL path, without query (for session numbers: the session's entry page).");
        COMMON.put("browser", "Only this browser (exact match, e.g. `Chrome`).");
        COMMON.put("os", "Only this operating system (exact match).");
        COMMON.put("deviceType", "Only `desktop`, `mobile`, `tablet` or `bot`.");
        COMMON.put("country", "Only this country (exact match).");
        COMMON.put("fresh", "`true` waits (up to 5 s) until every event acknowledged before the request is readable; "
                + "default `false` reads what is loaded (events acknowledged about a second ago and earlier).");
        SERIES.put("granularity", "`minute`, `hour`, `day`, `week` (ISO, from Monday) or `month`. Default: `hour` for "
                + "ranges up to 48 hours, else `day`. At most 10,000 buckets.");
        SERIES.put("tz", "IANA time zone of day, week and month buckets (e.g. `Europe/Paris`). Default: UTC.");
    }

    @Override
    public Operation customize(Operation operation, HandlerMethod handlerMethod) {
        if (operation.getParameters() != null) {
            // a parameter described by annotation alone has no schema, which OpenAPI requires: query and
            // header parameters here are text unless said otherwise
            for (Parameter p : operation.getParameters()) {
                if (p.getSchema() == null && p.getContent() == null) {
                    p.setSchema(new StringSchema());
                }
            }
        }
        ReadParameters read = handlerMethod.getMethodAnnotation(ReadParameters.class);
        if (read == null) {
            return operation;
        }
        List<Parameter> parameters = new ArrayList<>(operation.getParameters() == null ? List.of() : operation.getParameters());
        // the map the controller takes is not a parameter of the API
        parameters.removeIf(p -> "query".equals(p.getIn()) && p.getSchema() != null && "object".equals(p.getSchema().getType()));
        COMMON.forEach((name, description) -> add(parameters, name, description, name.equals("appId") && read.appIdRequired(),
                name.equals("fresh")));
        if (read.series()) {
            SERIES.forEach((name, description) -> add(parameters, name, description, false, false));
        }
        for (String own : read.own()) {
            int colon = own.indexOf(':');
            String name = own.substring(0, colon).strip();
            boolean required = name.endsWith("*");
            add(parameters, required ? name.substring(0, name.length() - 1) : name, own.substring(colon + 1).strip(), required, false);
        }
        operation.setParameters(parameters);
        return operation;
    }

    private static void add(List<Parameter> parameters, String name, String description, boolean required, boolean bool) {
        if (parameters.stream().anyMatch(p -> name.equals(p.getName()) && "query".equals(p.getIn()))) {
            return;
        }
        Schema<?> schema = bool ? new BooleanSchema() : new StringSchema();
        parameters.add(new Parameter().name(name).in("query").required(required).description(description).schema(schema));
    }
}
