package dev.traceflow.ops;

import dev.traceflow.http.ApiError;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.stereotype.Component;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lists, on every operation, the error answers it can give, all in API.md's error shape
 * ({@code ApiError}): derived from what the operation is (who may call it, whether it names a
 * resource, takes input, ingests), the same rules the server applies, so the document does not
 * depend on each controller remembering them. An answer a controller documents itself is kept.
 */
@Component
class ErrorResponsesDocumentation implements OpenApiCustomizer {

    /** The ingest operations' own 422 answer already puts {@code ApiError} among the document's schemas. */
    private static final Schema<?> API_ERROR = new Schema<>().$ref("#/components/schemas/" + ApiError.class.getSimpleName());

    /** Runs on the finished document, where every operation's security requirement is set. */
    @Override
    public void customise(OpenAPI openApi) {
        if (openApi.getPaths() == null) {
            return;
        }
        for (PathItem path : openApi.getPaths().values()) {
            for (Operation operation : path.readOperations()) {
                describeErrors(operation);
            }
        }
    }

    private void describeErrors(Operation operation) {
        Map<String, String> errors = new LinkedHashMap<>();
        boolean ingest = requires(operation, "IngestKey");
        boolean user = requires(operation, "BearerAuth");
        boolean serverKey = requires(operation, "RealtimeServerKey");
        List<Parameter> parameters = operation.getParameters() == null ? List.of() : operation.getParameters();
        boolean takesInput = operation.getRequestBody() != null || parameters.stream().anyMatch(p -> "query".equals(p.getIn()));
        boolean namesResource = parameters.stream().anyMatch(p -> "path".equals(p.getIn()) || "appId".equals(p.getName()));
        if (takesInput) {
            errors.put("400", "Malformed body or invalid parameter (`MALFORMED_BODY`, `INVALID_PARAMETER`), naming it");
        }
        if (ingest) {
            errors.put("401", "No ingest key, or one that is invalid or revoked");
            errors.put("403", "The page's origin is not among the app's allowedOrigins (`ORIGIN_NOT_ALLOWED`)");
            errors.put("413", "Over a size limit (body, decompressed body, events per batch)");
            errors.put("415", "Unsupported content type or encoding");
            errors.put("429", "Over the app's ingestRateLimit (`RATE_LIMITED`, with Retry-After); nothing stored");
            errors.put("503", "Storage is behind or down (`OVERLOADED`, `STORAGE_TIMEOUT`, `STORAGE_UNAVAILABLE`, with "
                    + "Retry-After); nothing stored");
        }
        if (serverKey) {
            errors.put("401", "No server key, or one that is invalid or revoked (an ingest or browser key never publishes)");
            errors.put("413", "The payload is over the realtime message size (`MESSAGE_TOO_LARGE`)");
            errors.put("422", "Well-formed but invalid (`VALIDATION_FAILED`): topic, id or payload");
            errors.put("429", "Over the topic's publish rate (`RATE_LIMITED`, with Retry-After) or the app's topic count "
                    + "(`TOO_MANY_TOPICS`); not sequenced");
        }
        if (user) {
            errors.put("401", "No access token, or one that is invalid or expired (`TOKEN_EXPIRED`: refresh)");
            errors.put("403", "Your role is too low for this (`FORBIDDEN`)");
            if (namesResource) {
                errors.put("404", "No such resource, or an app you have no role on (the same answer)");
            }
            if (operation.getRequestBody() != null) {
                errors.put("422", "Well-formed but invalid (`VALIDATION_FAILED`)");
            }
            errors.put("503", "A store the answer needs is unavailable, or every metadata database connection stayed busy "
                    + "for the pool's whole wait (`OVERLOADED`); with Retry-After");
        }
        if (errors.isEmpty()) {
            return;
        }
        ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
        errors.forEach((status, description) -> {
            if (!responses.containsKey(status)) {
                responses.addApiResponse(status, new ApiResponse().description(description)
                        .content(new Content().addMediaType("application/json", new MediaType().schema(API_ERROR))));
            }
        });
        operation.setResponses(responses);
    }

    private static boolean requires(Operation operation, String scheme) {
        List<SecurityRequirement> security = operation.getSecurity();
        return security != null && security.stream().anyMatch(r -> r.containsKey(scheme));
    }
}
