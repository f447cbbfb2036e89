package dev.traceflow.ops;

import dev.traceflow.support.ServerTest;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18 item 11: the server's OpenAPI document is valid OpenAPI 3.1, as the Swagger project's
 * maintained parser checks it (parameters need a schema, references must resolve, types and
 * required fields as the specification says).
 */
class OpenApiValidityTest extends ServerTest {

    private static SwaggerParseResult validate(String document) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setValidateInternalRefs(true);
        return new OpenAPIParser().readContents(document, null, options);
    }

    @Test
    void openApiDocument_isValid() {
        String document = http.get("/openapi.json").body();

        SwaggerParseResult result = validate(document);

        assertThat(result.getOpenAPI()).as("parsed").isNotNull();
        assertThat(result.getOpenAPI().getOpenapi()).startsWith("3.1");
        assertThat(result.getMessages()).as("validation messages").isEmpty();
    }

    /** The guard itself: the validator does report what it is trusted to find. */
    @Test
    void validator_reportsAParameterWithoutSchema() {
        String broken = """
                {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
                 "paths": {"/x": {"get": {"parameters": [{"name": "appId", "in": "query"}],
                   "responses": {"200": {"description": "ok"}}}}}}
                """;

        assertThat(validate(broken).getMessages()).isNotEmpty();
    }

    @Test
    void openApiDocument_hasNoFrameworkRoutesOrInternalTypes() {
        String document = http.get("/openapi.json").body();

        assertThat(document).doesNotContain("\"/error\"").doesNotContain("JsonNode");
    }

    /** Responses carry the statuses the endpoints really answer. */
    @Test
    void createAndDeleteOperations_documentTheirRealStatuses() {
        var paths = validate(http.get("/openapi.json").body()).getOpenAPI().getPaths();

        assertThat(paths.get("/api/apps").getPost().getResponses()).containsKey("201");
        assertThat(paths.get("/api/apps/{appId}").getDelete().getResponses()).containsKey("204");
        assertThat(paths.get("/api/apps/{appId}/opt-outs").getPost().getResponses()).containsKey("201");
        assertThat(paths.get("/auth/logout").getPost().getResponses()).containsKey("204");
    }

    /** Ingest operations describe their bodies; every operation lists the error answers it can give. */
    @Test
    void ingestBodiesAndErrorAnswers_areDescribed() {
        var api = validate(http.get("/openapi.json").body()).getOpenAPI();
        var collect = api.getPaths().get("/api/collect/batch").getPost();
        var errors = api.getPaths().get("/api/errors").getGet();

        assertThat(collect.getRequestBody().getContent().get("application/json").getSchema().get$ref()).endsWith("CollectBatch");
        assertThat(api.getComponents().getSchemas().get("CollectEvent").getRequired()).contains("appId", "type", "timestamp");
        assertThat(collect.getResponses()).containsKeys("202", "400", "401", "413", "429", "503");
        assertThat(errors.getResponses()).containsKeys("200", "400", "401", "403", "404");
        assertThat(errors.getResponses().get("404").getContent().get("application/json").getSchema().get$ref()).endsWith("ApiError");
        // a signed-in caller's request that found every metadata connection busy answers 503 OVERLOADED (DatabaseBusyAnswerTest)
        assertThat(errors.getResponses().get("503").getDescription()).contains("OVERLOADED");
    }

    /** Request bodies say which fields are required and which values a field takes. */
    @Test
    void requestBodies_markRequiredFieldsAndEnums() {
        var schemas = validate(http.get("/openapi.json").body()).getOpenAPI().getComponents().getSchemas();

        assertThat(schemas.get("NewApp").getRequired()).containsExactly("id");
        assertThat(schemas.get("LoginRequest").getRequired()).contains("username", "password");
        assertThat(schemas.get("StatusBody").getRequired()).containsExactly("status");
        List<Object> roles = List.copyOf(((io.swagger.v3.oas.models.media.Schema<?>) schemas.get("RoleBody").getProperties()
                .get("role")).getEnum());
        assertThat(roles).containsExactlyInAnyOrder("owner", "editor", "viewer");
    }

    /** The description promises only what exists. */
    @Test
    void openApiDescription_namesWhatIsNotBuiltAsNotBuilt() {
        String description = validate(http.get("/openapi.json").body()).getOpenAPI().getInfo().getDescription();

        assertThat(description).contains("not built yet");
    }
}
