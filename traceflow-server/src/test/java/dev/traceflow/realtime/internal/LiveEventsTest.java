package dev.traceflow.realtime.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.support.TestClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code traceflow:events}: accepted events as summaries, a few per app and second, off the request thread, in order. */
class LiveEventsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final RecordingPublisher publisher = new RecordingPublisher();
    private final List<RecordingPublisher.Published> published = publisher.published;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    /** Tasks handed to the executor, run when the test says: shows that nothing is published on the caller's thread. */
    private final List<Runnable> tasks = new ArrayList<>();
    private final Executor later = tasks::add;
    private final TestClock clock = new TestClock();

    {
        clock.hold(); // the per-second count moves only when a test moves the clock
    }

    private LiveEvents live(int perSecond) {
        return new LiveEvents(publisher, clock, perSecond, later, meters);
    }

    private void runTasks() {
        while (!tasks.isEmpty()) {
            tasks.removeFirst().run();
        }
    }

    private static Event pageview(String appId, String eventId, String url) {
        Event e = Event.builder(appId, EventType.PAGEVIEW, 1_764_928_800_000L).eventId(eventId).url(url).sessionId("s-1")
                .userId("alice@example.com").userAgent("Mozilla/5.0 secret-agent").build();
        e.path(url.replaceFirst("https://[^/]+", "").replaceFirst("\\?.*", ""));
        return e;
    }

    private double counter(String name, String... tags) {
        return meters.get(name).tags(tags).counter().count();
    }

    @Test
    void acceptedEvents_arePublishedOnTheAppsEventsTopic_offTheCallersThread_inOrder() {
        LiveEvents live = live(20);
        live.accepted("shop", List.of(pageview("shop", "e1", "https://shop.test/a"), pageview("shop", "e2", "https://shop.test/b")));

        assertThat(published).as("nothing on the request thread").isEmpty();
        runTasks();

        assertThat(published).extracting(RecordingPublisher.Published::topic).containsOnly("traceflow:events");
        assertThat(published).extracting(RecordingPublisher.Published::appId).containsOnly("shop");
        assertThat(published).extracting(p -> p.payload().path("path").asString()).containsExactly("/a", "/b");
        assertThat(published).extracting(RecordingPublisher.Published::id).as("the event's own id: a retry is not sequenced again")
                .containsExactly("event:e1", "event:e2");
        assertThat(counter("traceflow.realtime.live.events.published")).isEqualTo(2);
        assertThat(tasks).as("one drainer, not a task per event").isEmpty();
    }

    @Test
    void overTheRate_theFirstOfEachSecondAreSent_andTheNextSentOneCountsWhatWasLeftOut() {
        LiveEvents live = live(3);
        live.accepted("shop", IntStream.range(0, 10).mapToObj(i -> pageview("shop", "a" + i, "https://shop.test/" + i)).toList());
        live.accepted("kiosk", List.of(pageview("kiosk", "k1", "https://kiosk.test/")));
        runTasks();
        assertThat(published).filteredOn(p -> p.appId().equals("shop")).extracting(p -> p.payload().path("path").asString())
                .containsExactly("/0", "/1", "/2");
        assertThat(published).filteredOn(p -> p.appId().equals("kiosk")).as("apps are counted apart").hasSize(1);
        assertThat(counter("traceflow.realtime.live.events.skipped")).isEqualTo(7);

        clock.advance(Duration.ofSeconds(1));
        live.accepted("shop", List.of(pageview("shop", "b1", "https://shop.test/next")));
        runTasks();
        JsonNode next = published.getLast().payload();
        assertThat(next.path("path").asString()).isEqualTo("/next");
        assertThat(next.path("skipped").asLong()).isEqualTo(7);
        assertThat(published.getFirst().payload().path("skipped").asLong()).isZero();
    }

    @Test
    void summaries_keepWhatThePageShows_andLeaveOutPersonalDataAndQueries() {
        Event error = Event.builder("shop", EventType.ERROR, 1_764_928_800_000L).eventId("err-1").sessionId("s-1").release("shop@1.2.0")
                .userId("alice@example.com").url("https://shop.test/cart?token=abc")
                .details(new EventDetails.ErrorDetails("x".repeat(500), "at f (app.js:1:2)", "TypeError", "app.js", 1, 2, null)).build();
        error.path("/cart");
        error.fingerprint("fp-1");
        error.client("Chrome", "131", "macOS", "15", "desktop");

        JsonNode s = JSON.valueToTree(LiveEvents.summary(error, 1_764_928_801_000L, 4));

        assertThat(s.path("type").asString()).isEqualTo("event");
        assertThat(s.path("eventType").asString()).isEqualTo("error");
        assertThat(s.path("timestamp").asString()).isEqualTo("2025-12-05T10:00:00Z");
        assertThat(s.path("path").asString()).isEqualTo("/cart");
        assertThat(s.path("release").asString()).isEqualTo("shop@1.2.0");
        assertThat(s.path("browser").asString()).isEqualTo("Chrome");
        assertThat(s.path("deviceType").asString()).isEqualTo("desktop");
        assertThat(s.path("skipped").asLong()).isEqualTo(4);
        assertThat(s.path("detail").path("errorType").asString()).isEqualTo("TypeError");
        assertThat(s.path("detail").path("fingerprint").asString()).isEqualTo("fp-1");
        assertThat(s.path("detail").path("message").asString()).hasSize(LiveEvents.MAX_CHARS + 1).endsWith("…");
        assertThat(s.toString()).doesNotContain("alice").doesNotContain("token=abc").doesNotContain("app.js:1:2");

        Event vital = Event.builder("shop", EventType.WEB_VITAL, 1_764_928_800_000L)
                .details(new EventDetails.WebVitalDetails("LCP", 2100.5, "good", null, "v1", "navigate")).build();
        JsonNode v = JSON.valueToTree(LiveEvents.summary(vital, 1_764_928_801_000L, 0));
        assertThat(v.path("detail").path("name").asString()).isEqualTo("LCP");
        assertThat(v.path("detail").path("value").asDouble()).isEqualTo(2100.5);
        assertThat(v.path("detail").path("rating").asString()).isEqualTo("good");
        assertThat(v.path("eventId").isNull()).isTrue();

        Event api = Event.builder("shop", EventType.API, 1_764_928_800_000L)
                .details(new EventDetails.ApiCallDetails("POST", "https://api.shop.test/pay?card=4111", 502, 812.0)).build();
        JsonNode a = JSON.valueToTree(LiveEvents.summary(api, 1_764_928_801_000L, 0));
        assertThat(a.path("detail").path("url").asString()).isEqualTo("https://api.shop.test/pay");
        assertThat(a.path("detail").path("status").asInt()).isEqualTo(502);
        Event resource = Event.builder("shop", EventType.RESOURCE, 1_764_928_800_000L).details(new EventDetails.ResourceDetails(
                new EventDetails.ResourceTiming("https://cdn.shop.test/app.js#access_token=xyz", "script", 1.0, 80.0, null))).build();
        JsonNode r = JSON.valueToTree(LiveEvents.summary(resource, 1_764_928_801_000L, 0));
        assertThat(r.path("detail").path("name").asString()).as("no fragment either").isEqualTo("https://cdn.shop.test/app.js");

        Event purchase = Event.builder("shop", EventType.PURCHASE, 1_764_928_800_000L)
                .properties(Map.of("revenue", 49.9, "conversionType", "checkout", "email", "bob@example.com")).build();
        JsonNode p = JSON.valueToTree(LiveEvents.summary(purchase, 1_764_928_801_000L, 0));
        assertThat(p.path("detail").path("revenue").asDouble()).isEqualTo(49.9);
        assertThat(p.path("detail").path("conversionType").asString()).isEqualTo("checkout");
        assertThat(p.toString()).doesNotContain("bob");
    }

    @Test
    void anEventWithoutAnId_getsAFreshOne_andTooLongIdsToo() {
        LiveEvents live = live(20);
        live.accepted("shop", List.of(pageview("shop", null, "https://shop.test/"), pageview("shop", "y".repeat(200), "https://shop.test/")));
        runTasks();
        assertThat(published).extracting(RecordingPublisher.Published::id).allSatisfy(id -> assertThat(id).startsWith("event~").hasSizeLessThan(129));
        assertThat(published.get(0).id()).isNotEqualTo(published.get(1).id());
    }

    @Test
    void pastTheWaitingBound_summariesAreDroppedAndCounted_andTheNextSentOneCountsThem() {
        LiveEvents live = live(5000);
        live.accepted("shop", IntStream.range(0, LiveEvents.MAX_WAITING + 76).mapToObj(i -> pageview("shop", "w" + i, "https://shop.test/")).toList());
        assertThat(counter("traceflow.realtime.live.events.dropped", "reason", "queue_full")).isEqualTo(76);
        runTasks();
        assertThat(published).hasSize(LiveEvents.MAX_WAITING);

        live.accepted("shop", List.of(pageview("shop", "after", "https://shop.test/after")));
        runTasks();
        assertThat(published.getLast().payload().path("skipped").asLong()).isEqualTo(76);
    }

    @Test
    void aRefusedPublish_isCounted_andTheOthersStillGo() {
        LiveEvents live = live(20);
        publisher.refusing = true;
        live.accepted("shop", List.of(pageview("shop", "r1", "https://shop.test/")));
        runTasks();
        publisher.refusing = false;
        live.accepted("shop", List.of(pageview("shop", "r2", "https://shop.test/")));
        runTasks();
        assertThat(counter("traceflow.realtime.live.events.dropped", "reason", "refused")).isEqualTo(1);
        assertThat(published).extracting(RecordingPublisher.Published::id).containsExactly("event:r2");
    }

    @Test
    void zeroPerSecond_switchesTheTopicOff_andANegativeRateIsRefused() {
        live(0).accepted("shop", List.of(pageview("shop", "z", "https://shop.test/")));
        runTasks();
        assertThat(published).isEmpty();
        assertThatThrownBy(() -> live(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
