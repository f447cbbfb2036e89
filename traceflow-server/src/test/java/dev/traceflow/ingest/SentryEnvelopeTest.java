package dev.traceflow.ingest;

import dev.traceflow.http.ApiException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The envelope format as Relay reads it (relay-server's envelope tests are the model for these cases). */
class SentryEnvelopeTest {

    private static final String HEADER = "{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\",\"dsn\":\"https://k@sentry.example/42\"}";

    private static SentryEnvelope parse(String envelope) {
        return SentryEnvelope.parse(envelope.getBytes(StandardCharsets.UTF_8), 1000, 1 << 20);
    }

    private static String payload(SentryEnvelope e, int item) {
        return new String(e.items().get(item).payload(), StandardCharsets.UTF_8);
    }

    @Test
    void lineEnd_findsTheFirstNewline_wherever_itLies_andWhateverBytesSurroundIt() {
        // every position within and around the 8-byte steps, beside bytes one off a newline and with the high bit set
        byte[] fill = {'a', (byte) 0x0B, (byte) 0x09, (byte) 0x8A, (byte) 0xFF, (byte) 0x80, 0, (byte) 0x0A ^ (byte) 0x80};
        for (int length = 0; length <= 40; length++) {
            for (int from = 0; from <= length; from++) {
                for (int newline = -1; newline < length; newline++) {
                    byte[] line = new byte[length];
                    for (int i = 0; i < length; i++) {
                        line[i] = fill[(i * 5 + length) % fill.length];
                    }
                    if (newline >= 0) {
                        line[newline] = '\n';
                    }
                    if (newline + 3 < length && newline >= 0) {
                        line[newline + 3] = '\n';
                    }
                    int expected = newline >= from ? newline : newline >= 0 && newline + 3 >= from && newline + 3 < length
                            ? newline + 3 : length;
                    assertThat(SentryEnvelope.lineEnd(line, from)).as("length %d from %d newline %d", length, from, newline)
                            .isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void ofTheEnvelopeHeader_onlyWhatIsReadIsKept() {
        SentryEnvelope e = parse("{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\",\"sent_at\":\"2026-12-05T12:00:00Z\","
                + "\"sdk\":{\"name\":\"sentry.javascript.browser\",\"version\":\"11.17.0\"},\"trace\":{\"public_key\":\"k\"}}\n");

        assertThat(e.headers()).containsOnlyKeys("event_id");
        assertThat(e.eventId()).isEqualTo("9ec79c33ec9942ab8353589fcb2e04dc");
    }

    @Test
    void itemsAreRangesOfTheBody_notCopies() {
        byte[] body = (HEADER + "\n{\"type\":\"event\"}\n{\"message\":\"hi\"}\n").getBytes(StandardCharsets.UTF_8);
        SentryEnvelope.Item item = SentryEnvelope.parse(body, 1000, 1 << 20).items().getFirst();

        assertThat(item.body()).isSameAs(body);
        assertThat(new String(body, item.offset(), item.size(), StandardCharsets.UTF_8)).isEqualTo("{\"message\":\"hi\"}");
        assertThat(item.json(JsonShape.WHOLE)).isEqualTo(Map.of("message", "hi"));
    }

    @Test
    void itemsWithAndWithoutLength_areRead() {
        SentryEnvelope e = parse(HEADER + "\n{\"type\":\"attachment\",\"length\":10}\n\u00ef\u00bb\u00bfHello\r\n\n"
                .replace("\u00ef\u00bb\u00bf", "abc") + "{\"type\":\"event\"}\n{\"message\":\"hi\"}\n");

        assertThat(e.eventId()).isEqualTo("9ec79c33ec9942ab8353589fcb2e04dc");
        assertThat(e.dsn()).isEqualTo("https://k@sentry.example/42");
        assertThat(e.items()).extracting(SentryEnvelope.Item::type).containsExactly("attachment", "event");
        assertThat(payload(e, 0)).isEqualTo("abcHello\r\n");
        assertThat(payload(e, 1)).isEqualTo("{\"message\":\"hi\"}");
    }

    @Test
    void aLengthCountsBytes_notCharacters_andAPayloadMayHoldNewlines() {
        String text = "é\nü";
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        SentryEnvelope e = parse(HEADER + "\n{\"type\":\"attachment\",\"length\":" + bytes + "}\n" + text);

        assertThat(payload(e, 0)).isEqualTo(text);
    }

    @Test
    void theLastItemNeedsNoNewline_andEmptyPayloadsAreItems() {
        SentryEnvelope e = parse(HEADER + "\n{\"type\":\"attachment\",\"length\":0}\n\n{\"type\":\"attachment\"}");

        assertThat(e.items()).hasSize(2);
        assertThat(e.items()).allMatch(i -> i.payload().length == 0);
    }

    @Test
    void anEnvelopeOfItsHeaderAlone_hasNoItems() {
        assertThat(parse(HEADER).items()).isEmpty();
        assertThat(parse(HEADER + "\n").items()).isEmpty();
    }

    @Test
    void itemsOfUnknownTypes_areReadLikeAnyOther() {
        SentryEnvelope e = parse(HEADER + "\n{\"type\":\"something_new\",\"shiny\":true}\nhelloworld\n");

        assertThat(e.items()).singleElement().satisfies(i -> {
            assertThat(i.type()).isEqualTo("something_new");
            assertThat(i.headers()).containsEntry("shiny", true);
        });
    }

    @Test
    void aLengthThatLies_isMalformed() {
        // too short: the byte after the payload is not a newline
        assertMalformed(HEADER + "\n{\"type\":\"event\",\"length\":5}\n{\"message\":\"hi\"}\n", "length is wrong");
        // too long: the envelope ends first
        assertMalformed(HEADER + "\n{\"type\":\"event\",\"length\":500}\n{\"message\":\"hi\"}\n", "envelope ends");
        assertMalformed(HEADER + "\n{\"type\":\"event\",\"length\":-1}\n{}", "whole number");
        assertMalformed(HEADER + "\n{\"type\":\"event\",\"length\":\"12\"}\n{}", "whole number");
    }

    @Test
    void brokenHeaders_areMalformed() {
        assertMalformed("", "empty");
        assertMalformed("not json\n", "envelope header");
        assertMalformed("[1,2]\n", "not a JSON object");
        assertMalformed(HEADER + "\n{\"length\":2}\n{}", "no 'type'");
        assertMalformed(HEADER + "\n{\"type\":\"event\"} {\"type\":\"event\"}\n{}", "more on its line");
        assertMalformed(HEADER + "\n{\"type\":\"event\"} trailing\n{}", "not valid JSON");
    }

    @Test
    void limits_areRefusedWith413() {
        String twoItems = HEADER + "\n{\"type\":\"event\"}\n{}\n{\"type\":\"event\"}\n{}\n";
        assertThatThrownBy(() -> SentryEnvelope.parse(twoItems.getBytes(StandardCharsets.UTF_8), 1, 1000))
                .isInstanceOfSatisfying(ApiException.class, ex -> assertThat(ex.status().value()).isEqualTo(413));
        String big = HEADER + "\n{\"type\":\"event\"}\n" + "x".repeat(101);
        assertThatThrownBy(() -> SentryEnvelope.parse(big.getBytes(StandardCharsets.UTF_8), 10, 100))
                .isInstanceOfSatisfying(ApiException.class, ex -> assertThat(ex.status().value()).isEqualTo(413));
        String declaredBig = HEADER + "\n{\"type\":\"event\",\"length\":101}\n" + "x".repeat(101);
        assertThatThrownBy(() -> SentryEnvelope.parse(declaredBig.getBytes(StandardCharsets.UTF_8), 10, 100))
                .isInstanceOfSatisfying(ApiException.class, ex -> assertThat(ex.status().value()).isEqualTo(413));
    }

    private static void assertMalformed(String envelope, String why) {
        assertThatThrownBy(() -> parse(envelope)).isInstanceOfSatisfying(ApiException.class, ex -> {
            assertThat(ex.status().value()).isEqualTo(400);
            assertThat(ex.code()).isEqualTo("MALFORMED_BODY");
            assertThat(ex.getMessage()).contains(why);
        });
    }
}
