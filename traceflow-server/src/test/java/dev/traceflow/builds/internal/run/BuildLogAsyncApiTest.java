package dev.traceflow.builds.internal.run;

import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The AsyncAPI document's build log channel says what {@link BuildLogFollowers} accepts and writes. */
class BuildLogAsyncApiTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private record Documented(Set<String> properties, Set<String> required, Map<String, Object> payload) {
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Documented> messages(String operationName) throws IOException {
        Map<String, Object> doc;
        try (InputStream in = new ClassPathResource("realtime/asyncapi.yaml").getInputStream()) {
            doc = new Yaml().load(in);
        }
        Map<String, Object> components = (Map<String, Object>) ((Map<String, Object>) doc.get("components")).get("messages");
        Map<String, Object> operation = (Map<String, Object>) ((Map<String, Object>) doc.get("operations")).get(operationName);
        assertThat(((Map<String, Object>) operation.get("channel")).get("$ref")).isEqualTo("#/channels/buildLogs");
        Map<String, Documented> byType = new HashMap<>();
        for (Object ref : (List<Object>) operation.get("messages")) {
            String name = ((String) ((Map<String, Object>) ref).get("$ref")).replaceAll(".*/", "");
            Map<String, Object> payload = (Map<String, Object>) ((Map<String, Object>) components.get(name)).get("payload");
            Map<String, Object> properties = (Map<String, Object>) payload.get("properties");
            assertThat(payload.get("additionalProperties")).as(name).isEqualTo(false);
            byType.put((String) ((Map<String, Object>) properties.get("type")).get("const"),
                    new Documented(new TreeSet<>(properties.keySet()), new TreeSet<>((List<String>) payload.get("required")), payload));
        }
        return byType;
    }

    @Test
    void clientMessages_haveExactlyTheFieldsTheFollowersAccept() throws IOException {
        Map<String, Documented> documented = messages("receiveBuildLogMessages");
        assertThat(documented.keySet()).containsExactlyInAnyOrder("subscribe", "unsubscribe");
        assertThat(documented.get("subscribe").properties()).isEqualTo(new TreeSet<>(BuildLogFollowers.SUBSCRIBE_FIELDS));
        assertThat(documented.get("unsubscribe").properties()).isEqualTo(new TreeSet<>(BuildLogFollowers.UNSUBSCRIBE_FIELDS));
    }

    @Test
    @SuppressWarnings("unchecked")
    void serverMessages_areDocumentedWithTheFieldsWritten_andEveryErrorCode() throws IOException {
        Map<String, Documented> documented = messages("sendBuildLogMessages");
        List<String> written = List.of(
                BuildLogFollowers.logJson("b1", new StoredLine(1, Instant.parse("2026-12-05T01:00:00Z"), "info", "build", "hello")),
                BuildLogFollowers.endJson("b1", "success"),
                BuildLogFollowers.errorJson(BuildLogFollowers.Code.NOT_FOUND, "no", "b1"),
                BuildLogFollowers.errorJson(BuildLogFollowers.Code.BAD_MESSAGE, "no", null));
        Set<String> types = new TreeSet<>();
        for (String text : written) {
            JsonNode message = JSON.readTree(text);
            String type = message.path("type").asString();
            types.add(type);
            Documented d = documented.get(type);
            assertThat(d).as(text).isNotNull();
            Set<String> fields = new TreeSet<>(message.propertyNames());
            assertThat(d.properties()).as(type).containsAll(fields);
            assertThat(fields).as(type).containsAll(d.required());
        }
        assertThat(types).isEqualTo(documented.keySet());
        Map<String, Object> code = (Map<String, Object>) ((Map<String, Object>) documented.get("error").payload().get("properties")).get("code");
        assertThat(new TreeSet<>((List<String>) code.get("enum")))
                .isEqualTo(new TreeSet<>(Arrays.stream(BuildLogFollowers.Code.values()).map(Enum::name).toList()));
    }
}
