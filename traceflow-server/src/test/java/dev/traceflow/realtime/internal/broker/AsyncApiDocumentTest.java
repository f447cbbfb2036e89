package dev.traceflow.realtime.internal.broker;

import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The AsyncAPI document ({@code /asyncapi.yaml}) says what the code does: every client message the
 * parser accepts, with exactly its fields, and every server message the gateway writes, with the
 * fields it writes, and every error code. (That the document is valid AsyncAPI is checked by the
 * AsyncAPI parser under Node, in {@code AsyncApiDocumentIT}.)
 */
class AsyncApiDocumentTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private record Documented(String type, Set<String> properties, Set<String> required, Map<String, Object> payload) {
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> document() throws IOException {
        try (InputStream in = new ClassPathResource("realtime/asyncapi.yaml").getInputStream()) {
            return new Yaml().load(in);
        }
    }

    /** The messages of the {@code /ws} channel's operation (receive: what clients send; send: what the gateway sends), by their type. */
    private static Map<String, Documented> messages(String action) throws IOException {
        return messages(action, "gateway");
    }

    /** The messages of one channel's operations of one action, by their type. */
    @SuppressWarnings("unchecked")
    private static Map<String, Documented> messages(String action, String channel) throws IOException {
        Map<String, Object> doc = document();
        Map<String, Object> components = (Map<String, Object>) ((Map<String, Object>) doc.get("components")).get("messages");
        Map<String, Object> operations = (Map<String, Object>) doc.get("operations");
        Map<String, Documented> byType = new HashMap<>();
        for (Object o : operations.values()) {
            Map<String, Object> operation = (Map<String, Object>) o;
            // by channel: the build log messages on the same connection (channel buildLogs) are checked by BuildLogAsyncApiTest
            String ofChannel = ((String) ((Map<String, Object>) operation.get("channel")).get("$ref")).replaceAll(".*/", "");
            if (!action.equals(operation.get("action")) || !channel.equals(ofChannel)) {
                continue;
            }
            for (Object ref : (List<Object>) operation.get("messages")) {
                String name = ((String) ((Map<String, Object>) ref).get("$ref")).replaceAll(".*/", "");
                Map<String, Object> payload = (Map<String, Object>) ((Map<String, Object>) components.get(name)).get("payload");
                Map<String, Object> properties = (Map<String, Object>) payload.get("properties");
                String type = (String) ((Map<String, Object>) properties.get("type")).get("const");
                assertThat(payload.get("additionalProperties")).as(name + " lists every field").isEqualTo(false);
                Documented previous = byType.put(type, new Documented(type, new TreeSet<>(properties.keySet()),
                        new TreeSet<>((List<String>) payload.get("required")), payload));
                assertThat(previous).as("one message of type " + type + " per direction").isNull();
            }
        }
        return byType;
    }

    /** Socket.IO carries the same messages as {@code /ws} (each as the {@code message} event), at the path the server serves. */
    @Test
    @SuppressWarnings("unchecked")
    void theSocketIoNamespace_carriesExactlyTheMessagesOfTheWebSocket() throws IOException {
        for (String action : List.of("receive", "send")) {
            assertThat(messages(action, "realtime")).as(action).isEqualTo(messages(action, "gateway"));
        }
        Map<String, Object> doc = document();
        Map<String, Object> socketIo = (Map<String, Object>) ((Map<String, Object>) doc.get("servers")).get("socketio");
        Map<String, Object> namespace = (Map<String, Object>) ((Map<String, Object>) doc.get("channels")).get("realtime");
        assertThat(socketIo.get("pathname")).isEqualTo(dev.traceflow.http.RealtimePaths.SOCKET_IO);
        assertThat(namespace.get("address")).isEqualTo("/realtime");
        assertThat((String) socketIo.get("description")).contains("`message`", "auth", "long-polling", "BAD_MESSAGE");
    }

    @Test
    void everyClientMessage_isDocumentedWithExactlyTheFieldsTheParserAccepts() throws IOException {
        Map<String, Documented> documented = messages("receive");
        Map<String, Set<String>> accepted = WireFormat.clientMessageFields();
        assertThat(documented.keySet()).isEqualTo(accepted.keySet());
        accepted.forEach((type, fields) -> assertThat(documented.get(type).properties()).as(type).isEqualTo(new TreeSet<>(fields)));
    }

    @Test
    void everyDocumentedRequiredClientField_isRequiredByTheParser() throws IOException {
        for (Documented d : messages("receive").values()) {
            for (String field : d.required()) {
                if (field.equals("type")) {
                    continue;
                }
                Map<String, Object> example = new HashMap<>();
                example.put("type", d.type());
                for (String f : d.required()) {
                    if (!f.equals("type")) {
                        example.put(f, sample(f));
                    }
                }
                String complete = JSON.writeValueAsString(example);
                org.assertj.core.api.Assertions.assertThatCode(() -> WireFormat.parse(complete)).as(complete).doesNotThrowAnyException();
                example.remove(field);
                String missing = JSON.writeValueAsString(example);
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> WireFormat.parse(missing)).as(missing)
                        .isInstanceOf(BadMessage.class);
            }
        }
    }

    private static Object sample(String field) {
        return switch (field) {
            case "topic" -> "orders:1";
            case "seq", "lastSeq" -> 1;
            case "id" -> "id-1";
            case "epoch" -> "e1";
            case "token" -> "a-token";
            case "payload" -> Map.of("n", 1);
            default -> throw new IllegalArgumentException("no sample for " + field);
        };
    }

    @Test
    void everyServerMessage_isDocumentedWithTheFieldsTheGatewayWrites() throws IOException {
        Map<String, Documented> documented = messages("send");
        List<String> written = List.of(
                WireFormat.event("orders:1", "{\"n\":1}", "id-1", 3, 1_764_885_600_000L),
                WireFormat.subscribed("orders:1", 3, "e1", true),
                WireFormat.ack("id-1", "orders:1", 3),
                WireFormat.pong(),
                WireFormat.authenticated(1_764_885_600_000L),
                WireFormat.error(ErrorCode.FORBIDDEN_TOPIC, "no", "orders:1", "id-1"),
                WireFormat.error(ErrorCode.BAD_MESSAGE, "no", null, null));
        Set<String> types = new HashSet<>();
        for (String text : written) {
            JsonNode message = JSON.readTree(text);
            String type = message.path("type").asString();
            types.add(type);
            Documented d = documented.get(type);
            assertThat(d).as("documented: " + text).isNotNull();
            Set<String> fields = new TreeSet<>(message.propertyNames());
            assertThat(d.properties()).as(type + " documents every field written").containsAll(fields);
            assertThat(fields).as(type + " writes every required field").containsAll(d.required());
        }
        assertThat(types).isEqualTo(documented.keySet());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theErrorCodes_areExactlyTheGatewaysOwn() throws IOException {
        Map<String, Object> payload = messages("send").get("error").payload();
        Map<String, Object> code = (Map<String, Object>) ((Map<String, Object>) payload.get("properties")).get("code");
        assertThat(new TreeSet<>((List<String>) code.get("enum")))
                .isEqualTo(new TreeSet<>(Arrays.stream(ErrorCode.values()).map(Enum::name).toList()));
    }
}
