package dev.traceflow.analytics;

import dev.traceflow.proto.v1.AnalyticsEvent;
import dev.traceflow.proto.v1.ErrorOccurredEvent;
import dev.traceflow.proto.v1.EventContext;
import dev.traceflow.proto.v1.MessageSentEvent;
import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /api/analytics/*} over HTTP, on seed 002's typed events sent as protobuf to
 * {@code POST /api/event}: the seed's three example queries are each one request.
 */
class AnalyticsApiTest extends ServerTest {

    private static final String APP = "analytics-api";
    private static final Instant DAY0 = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(2));
    private static boolean loaded;

    @BeforeEach
    void dataset() {
        synchronized (AnalyticsApiTest.class) {
            if (loaded) {
                return;
            }
            auth.createApp(APP);
            String key = auth.createKey(APP);
            send(key, message("u1", 9 * 3600, "text", 100));
            send(key, message("u1", 10 * 3600, "image", 2000));
            send(key, message("u2", 11 * 3600, "text", 50));
            send(key, message("u2", 86_400 + 9 * 3600, "text", 10));
            send(key, error("u3", 86_400 + 10 * 3600, "NetworkError"));
            send(key, error("u3", 86_400 + 10 * 3600 + 60, "NetworkError"));
            send(key, error("u2", 86_400 + 11 * 3600, "Timeout"));
            loaded = true;
        }
    }

    private static EventContext.Builder context(String user, long secondsAfterDay0) {
        return EventContext.newBuilder().setAppId(APP).setUserId(user).setClientId("client-" + user)
                .setEventId(UUID.randomUUID().toString()).setClientTs(DAY0.plusSeconds(secondsAfterDay0).toEpochMilli());
    }

    private static AnalyticsEvent message(String user, long at, String type, int size) {
        return AnalyticsEvent.newBuilder().setContext(context(user, at))
                .setMessageSent(MessageSentEvent.newBuilder().setChatId("c1").setType(type).setSize(size)).build();
    }

    private static AnalyticsEvent error(String user, long at, String type) {
        return AnalyticsEvent.newBuilder().setContext(context(user, at))
                .setErrorOccurred(ErrorOccurredEvent.newBuilder().setErrorType(type).setErrorMessage("failed")).build();
    }

    private void send(String key, AnalyticsEvent e) {
        TestHttp.Response r = http.post("/api/event", e.toByteArray(), "X-TraceFlow-Key", key, "Content-Type", "application/x-protobuf");
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
    }

    private TestHttp.Response get(String path, String query) {
        return getAs(auth.admin(), path, query);
    }

    private TestHttp.Response getAs(String token, String path, String query) {
        return http.get(path + "?appId=" + APP + "&from=" + DAY0 + "&to=" + DAY0.plus(Duration.ofDays(3)) + "&fresh=true"
                + "&granularity=day" + query, TestAuth.bearer(token));
    }

    private static List<String> points(TestHttp.Response r, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        for (JsonNode p : r.json().path("series")) {
            out.add(p.path(field).asString() + (p.has("breakdownValue") ? " " + p.path("breakdownValue").asString() : ""));
        }
        return out;
    }

    @Test
    void dailyActiveUsers() {
        TestHttp.Response r = get("/api/analytics/active-users", "");

        assertThat(r.json().path("series").get(0).path("ts").asString()).isEqualTo(DAY0.toString());
        assertThat(points(r, "users")).containsExactly("2", "2", "0");
    }

    @Test
    void messageStatisticsByTypePerDay_withTotalSize() {
        assertThat(points(get("/api/analytics/events", "&name=message_sent&aggregate=sum:size&breakdown=type"), "value"))
                .containsExactly("150.0 text", "2000.0 image", "10.0 text", "0.0 image", "0.0 text", "0.0 image");
        assertThat(points(get("/api/analytics/events", "&name=message_sent&breakdown=type"), "value"))
                .containsExactly("2 text", "1 image", "1 text", "0 image", "0 text", "0 image");
        assertThat(points(get("/api/analytics/events", "&name=message_sent&aggregate=unique_users"), "value"))
                .containsExactly("2", "1", "0");
        assertThat(points(get("/api/analytics/events", "&name=message_sent&aggregate=avg:size"), "value"))
                .containsExactly("716.6666666666666", "10.0", "0.0");
    }

    @Test
    void errorTrendByTypePerDay() {
        assertThat(points(get("/api/analytics/events", "&name=error_occurred&breakdown=errorType"), "value"))
                .containsExactly("0 NetworkError", "0 Timeout", "2 NetworkError", "1 Timeout", "0 NetworkError", "0 Timeout");
    }

    @Test
    void access_aStrangerGets404_aViewerReads() {
        String name = TestAuth.uniqueName("analytics-viewer");
        String token = auth.newUserToken(name);

        assertThat(getAs(token, "/api/analytics/active-users", "").status()).isEqualTo(404);
        assertThat(getAs(token, "/api/analytics/events", "&name=message_sent").status()).isEqualTo(404);
        auth.grant(APP, name, "viewer");
        assertThat(getAs(token, "/api/analytics/active-users", "").status()).isEqualTo(200);
        assertThat(getAs(token, "/api/analytics/events", "&name=message_sent").status()).isEqualTo(200);
    }

    @Test
    void badInput_isA400NamingTheParameter() {
        assertInvalid(get("/api/analytics/events", ""), "name");
        assertInvalid(get("/api/analytics/events", "&name=message_sent&aggregate=median:size"), "aggregate");
        assertInvalid(get("/api/analytics/events", "&name=message_sent&aggregate=sum"), "aggregate");
        assertInvalid(get("/api/analytics/events", "&name=message_sent&aggregate=sum:a.b"), "aggregate");
        assertInvalid(get("/api/analytics/events", "&name=message_sent&aggregate=avg:" + "x".repeat(65)), "aggregate");
        assertInvalid(get("/api/analytics/events", "&name=message_sent&breakdown=type')--"), "breakdown");
        assertInvalid(get("/api/analytics/events", "&name=message_sent&breakdown=type&limit=101"), "limit");
        assertInvalid(get("/api/analytics/active-users", "&tz=Nowhere/City"), "tz");
        assertInvalid(get("/api/analytics/active-users", "&name=x"), "name");
        assertInvalid(http.get("/api/analytics/active-users?appId=" + APP + "&granularity=minute&from="
                + DAY0.minus(Duration.ofDays(400)) + "&to=" + DAY0, TestAuth.bearer(auth.admin())), "granularity");
    }

    private static void assertInvalid(TestHttp.Response r, String parameter) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        JsonNode body = r.json();
        assertThat(body.path("code").asString()).isEqualTo("INVALID_PARAMETER");
        assertThat(body.path("message").asString()).isNotBlank();
        assertThat(body.path("traceId").asString()).isNotBlank();
        assertThat(body.path("details").toString()).as(r.toString()).contains("\"" + parameter + "\"");
    }
}
