package dev.traceflow.storage.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JournalEventCodecTest {

    private static List<String> roundTrip(List<Event> events) {
        return JournalEventCodec.decode(JournalEventCodec.encode(events)).stream().map(JournalFixtureEvents::describe).toList();
    }

    private static List<String> described(List<Event> events) {
        return events.stream().map(JournalFixtureEvents::describe).toList();
    }

    @Test
    void everyTypeAndEveryField_comeBackAsTheyWent() {
        List<Event> events = JournalFixtureEvents.all();
        for (Event e : events) {
            e.bot(e.type() == EventType.CLICK); // a field format 1 could not keep
        }

        assertThat(roundTrip(events)).containsExactlyElementsOf(described(events));
    }

    @Test
    void repeatedStrings_areWrittenOnceAndReadBackForEveryEvent() {
        String ua = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
        List<Event> same = new ArrayList<>();
        List<Event> different = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            same.add(Event.builder("app", EventType.PAGEVIEW, 1_700_000_000_000L + i).userAgent(ua).release("2.0.0").build());
            different.add(Event.builder("app", EventType.PAGEVIEW, 1_700_000_000_000L + i).userAgent(ua + i).release("2.0." + i).build());
        }
        // an event without a user agent in between: "same as before" must not leak across a null
        same.set(8, Event.builder("app", EventType.PAGEVIEW, 1L).build());

        assertThat(roundTrip(same)).containsExactlyElementsOf(described(same));
        assertThat(roundTrip(different)).containsExactlyElementsOf(described(different));
        String written = new String(JournalEventCodec.encode(same), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(written.split(java.util.regex.Pattern.quote(ua), -1)).as("the user agent written twice: "
                + "before and after the event without one").hasSize(3);
    }

    @Test
    void propertyValues_keepTheirJsonKinds() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("int", 42);
        props.put("negative", -7);
        props.put("long", 9_000_000_000L);
        props.put("double", 0.1);
        props.put("big", new BigInteger("123456789012345678901234567890"));
        props.put("decimal", new BigDecimal("1.50"));
        props.put("true", true);
        props.put("false", false);
        props.put("null", null);
        props.put("text", "ünï \u0000 \"q\" 😀");
        props.put("empty", "");
        props.put("list", Arrays.asList(1, "two", null, List.of(), Map.of()));
        props.put("nested", Map.of("deeper", Map.of("deepest", List.of(1.5))));
        Event e = Event.builder("app", EventType.EVENT, 5).properties(props)
                .details(new EventDetails.CustomEventDetails("signup")).build();

        Event back = JournalEventCodec.decode(JournalEventCodec.encode(List.of(e))).getFirst();

        assertThat(back.properties()).isEqualTo(props);
        assertThat(back.properties().get("long")).isInstanceOf(Long.class);
        assertThat(back.properties().get("int")).isInstanceOf(Integer.class);
        assertThat(back.properties().get("decimal")).isEqualTo(new BigDecimal("1.50"));
    }

    @Test
    void optionalNumbersAndNullDetails_stayAbsent() {
        List<Event> events = List.of(
                Event.builder("app", EventType.ERROR, 1).details(new EventDetails.ErrorDetails("m", null, null, null, null, null, null)).build(),
                Event.builder("app", EventType.WEB_VITAL, 1).details(new EventDetails.WebVitalDetails("CLS", 0.01, null, null, "id", null)).build(),
                Event.builder("app", EventType.API, 1).details(new EventDetails.ApiCallDetails(null, "https://x", null, 12.0)).build(),
                Event.builder("app", EventType.PERFORMANCE, 1).details(new EventDetails.PerformanceDetails(Map.of("lcp", 1.0), List.of())).build());

        assertThat(roundTrip(events)).containsExactlyElementsOf(described(events));
    }

    @Test
    void aValueThatIsNotJsonLike_isRefusedWhenEncoding() {
        Event e = Event.builder("app", EventType.EVENT, 1).properties(Map.of("when", new java.util.Date())).build();

        assertThatThrownBy(() -> JournalEventCodec.encode(List.of(e))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Date");
    }

    @Test
    void bytesCutShortOrOfAnotherFormat_areRefusedNotMisread() {
        byte[] whole = JournalEventCodec.encode(JournalFixtureEvents.all());

        assertThatThrownBy(() -> JournalEventCodec.decode(Arrays.copyOf(whole, whole.length - 5)))
                .isInstanceOf(IllegalArgumentException.class);
        byte[] other = whole.clone();
        other[0] = 1;
        assertThatThrownBy(() -> JournalEventCodec.decode(other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("format 2");
        byte[] longer = Arrays.copyOf(whole, whole.length + 1);
        assertThatThrownBy(() -> JournalEventCodec.decode(longer)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("after the last event");
    }
}
