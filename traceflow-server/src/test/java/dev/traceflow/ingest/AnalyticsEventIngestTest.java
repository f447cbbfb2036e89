package dev.traceflow.ingest;

import dev.traceflow.proto.v1.AnalyticsEvent;
import dev.traceflow.proto.v1.ErrorOccurredEvent;
import dev.traceflow.proto.v1.EventContext;
import dev.traceflow.proto.v1.GeoLocation;
import dev.traceflow.proto.v1.MessageSentEvent;
import dev.traceflow.proto.v1.NavigationEvent;
import dev.traceflow.proto.v1.SystemInfo;
import dev.traceflow.proto.v1.UserLoginEvent;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.Arrays;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Seed 002's analytics events: {@code POST /api/event} as protobuf or proto3 JSON, and the published schema. */
class AnalyticsEventIngestTest extends IngestTestBase {

    private static final String APP = "ingest-analytics";
    private static final String PROTOBUF = "application/x-protobuf";

    private static EventContext.Builder context(String appId) {
        return EventContext.newBuilder()
                .setClientId("client-1")
                .setSessionId("session-1")
                .setUserId("user-1")
                .setAppVersion("3.1.0")
                .setClientTs(System.currentTimeMillis())
                .setUserAgent(CHROME_UA)
                .setIp("203.0.113.9")
                .setSystem(SystemInfo.newBuilder().setOs("macOS").setArch("arm64").setLocale("en-US").setBrowser("Chrome"))
                .setGeo(GeoLocation.newBuilder().setCountry("DE").setCity("Berlin"))
                .setAppId(appId)
                .setEventId(UUID.randomUUID().toString());
    }

    private static AnalyticsEvent messageSent(String appId) {
        return AnalyticsEvent.newBuilder()
                .setContext(context(appId))
                .setMessageSent(MessageSentEvent.newBuilder().setChatId("chat-9").setType("text").setSize(120)
                        .setHasMentions(true))
                .build();
    }

    private static long count(Map<String, Long> byType, String type) {
        return byType.getOrDefault(type, 0L);
    }

    @Test
    void event_storesBinaryProtobufAsCustomEvent() {
        String key = appKey(APP);
        Map<String, Long> before = storedByType(APP);

        TestHttp.Response r = http.post("/api/event", messageSent(APP).toByteArray(), KEY, key, CT, PROTOBUF);

        assertAccepted(r, 1, 0);
        assertThat(count(storedByType(APP), "event")).isEqualTo(count(before, "event") + 1);
    }

    @Test
    void event_acceptsApplicationProtobufContentType() {
        String key = appKey(APP);
        long before = stored(APP);
        AnalyticsEvent navigation = AnalyticsEvent.newBuilder().setContext(context(APP))
                .setNavigation(NavigationEvent.newBuilder().setFrom("/chats").setTo("/settings").setDurationMs(3000)).build();

        TestHttp.Response r = http.post("/api/event", navigation.toByteArray(), KEY, key, CT, "application/protobuf");

        assertAccepted(r, 1, 0);
        assertThat(stored(APP)).isEqualTo(before + 1);
    }

    @Test
    void event_usesTheKeysAppWhenContextHasNoAppId() {
        String key = appKey(APP);
        long before = stored(APP);
        AnalyticsEvent event = AnalyticsEvent.newBuilder().setContext(context(APP).clearAppId())
                .setUserLogin(UserLoginEvent.newBuilder().setEmail("a@b.test").setLoginMethod("password")).build();

        TestHttp.Response r = http.post("/api/event", event.toByteArray(), KEY, key, CT, PROTOBUF);

        assertAccepted(r, 1, 0);
        assertThat(stored(APP)).isEqualTo(before + 1);
    }

    @Test
    void event_acceptsProto3Json() {
        String key = appKey(APP);
        long before = stored(APP);
        String body = "{\"context\": {\"clientId\": \"client-2\", \"clientTs\": \"" + System.currentTimeMillis() + "\", "
                + "\"appId\": \"" + APP + "\", \"eventId\": \"" + UUID.randomUUID() + "\", \"userAgent\": \"" + CHROME_UA + "\"}, "
                + "\"userLogin\": {\"email\": \"a@b.test\", \"loginMethod\": \"oauth\"}}";

        TestHttp.Response r = postJson("/api/event", body, key);

        assertAccepted(r, 1, 0);
        assertThat(stored(APP)).isEqualTo(before + 1);
    }

    @Test
    void event_errorOccurredStoresACustomEventAndAnError() {
        String key = appKey(APP);
        Map<String, Long> before = storedByType(APP);
        AnalyticsEvent event = AnalyticsEvent.newBuilder().setContext(context(APP))
                .setErrorOccurred(ErrorOccurredEvent.newBuilder().setErrorType("NetworkError").setErrorCode("E_TIMEOUT")
                        .setErrorMessage("request to /api/chats timed out after 30000 ms")
                        .setStackTrace("Error: timed out\n    at fetchChats (app.js:10:3)"))
                .build();

        TestHttp.Response r = http.post("/api/event", event.toByteArray(), KEY, key, CT, PROTOBUF);

        assertAccepted(r, 2, 0);
        Map<String, Long> after = storedByType(APP);
        assertThat(count(after, "event")).isEqualTo(count(before, "event") + 1);
        assertThat(count(after, "error")).isEqualTo(count(before, "error") + 1);
    }

    @Test
    void event_repeatedEventIdIsStoredOnce() {
        String key = appKey(APP);
        long before = stored(APP);
        byte[] body = messageSent(APP).toByteArray();

        assertAccepted(http.post("/api/event", body, KEY, key, CT, PROTOBUF), 1, 0);
        assertAccepted(http.post("/api/event", body, KEY, key, CT, PROTOBUF), 1, 0);

        assertThat(stored(APP)).isEqualTo(before + 1);
    }

    @Test
    void event_rejectsCorruptedProtobufWith400() {
        String key = appKey(APP);
        long before = stored(APP);
        byte[] valid = messageSent(APP).toByteArray();
        byte[] truncated = Arrays.copyOf(valid, valid.length - 3);

        assertApiError(http.post("/api/event", truncated, KEY, key, CT, PROTOBUF), 400, "MALFORMED_BODY");
        assertApiError(http.post("/api/event", new byte[]{(byte) 0x0A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0x0F}, KEY, key, CT, PROTOBUF), 400, "MALFORMED_BODY");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void event_rejectsMalformedProto3JsonWith400() {
        String key = appKey(APP);
        long before = stored(APP);

        assertApiError(postJson("/api/event", "{\"context\": {\"clientTs\": ", key), 400, "MALFORMED_BODY");
        assertApiError(postJson("/api/event", "{\"context\": {\"clientTs\": true}, \"appStart\": {}}", key), 400, "MALFORMED_BODY");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void event_withoutClientTs_answers422() {
        String key = appKey(APP);
        long before = stored(APP);
        AnalyticsEvent event = AnalyticsEvent.newBuilder().setContext(context(APP).clearClientTs())
                .setMessageSent(MessageSentEvent.newBuilder().setChatId("chat-1")).build();

        TestHttp.Response r = http.post("/api/event", event.toByteArray(), KEY, key, CT, PROTOBUF);

        JsonNode error = assertApiError(r, 422, "VALIDATION_FAILED");
        assertThat(error.path("details").get(0).path("code").asString()).isEqualTo("MISSING_FIELD");
        assertThat(error.path("message").asString()).contains("client_ts");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void event_withoutTypedEvent_answers422() {
        String key = appKey(APP);
        long before = stored(APP);
        AnalyticsEvent event = AnalyticsEvent.newBuilder().setContext(context(APP)).build();

        TestHttp.Response r = http.post("/api/event", event.toByteArray(), KEY, key, CT, PROTOBUF);

        assertApiError(r, 422, "VALIDATION_FAILED");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void event_withClientTsOutOfRange_answers422() {
        String key = appKey(APP);
        long before = stored(APP);
        AnalyticsEvent event = AnalyticsEvent.newBuilder()
                .setContext(context(APP).setClientTs(System.currentTimeMillis() - 40L * 86_400_000))
                .setMessageSent(MessageSentEvent.newBuilder().setChatId("chat-1")).build();

        TestHttp.Response r = http.post("/api/event", event.toByteArray(), KEY, key, CT, PROTOBUF);

        JsonNode error = assertApiError(r, 422, "VALIDATION_FAILED");
        assertThat(error.path("details").get(0).path("code").asString()).isEqualTo("TIMESTAMP_OUT_OF_RANGE");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void event_ofAnotherApp_answers403() {
        String key = appKey(APP);
        appKey("ingest-analytics-other");
        long otherBefore = stored("ingest-analytics-other");

        TestHttp.Response r = http.post("/api/event", messageSent("ingest-analytics-other").toByteArray(), KEY, key, CT, PROTOBUF);

        assertApiError(r, 403, "APP_MISMATCH");
        assertThat(stored("ingest-analytics-other")).isEqualTo(otherBefore);
    }

    @Test
    void event_rejectsUnsupportedContentTypeWith415() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = http.post("/api/event", messageSent(APP).toByteArray(), KEY, key, CT, "application/xml");

        assertApiError(r, 415, "UNSUPPORTED_MEDIA_TYPE");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void schemaProto_returnsTheProtoText() {
        TestHttp.Response r = http.get("/api/event/schema.proto");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/plain");
        assertThat(r.body()).contains("syntax = \"proto3\"", "message AnalyticsEvent", "message EventContext",
                "ErrorOccurredEvent error_occurred = 24");
    }
}
