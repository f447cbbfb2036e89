package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AnswerCountScannerTest {

    @Test
    void readsAcceptedAndRejectedFromCompactAnswer() {
        byte[] body = bytes("{\"accepted\":48,\"rejected\":2,\"errors\":[{\"index\":3,\"code\":\"invalid\",\"message\":\"x\"}]}");

        assertThat(AnswerCountScanner.accepted(body)).isEqualTo(48);
        assertThat(AnswerCountScanner.rejected(body)).isEqualTo(2);
    }

    @Test
    void toleratesWhitespaceAroundTheColon() {
        assertThat(AnswerCountScanner.accepted(bytes("{\n  \"rejected\" : 0,\n  \"accepted\" : 50\n}"))).isEqualTo(50);
    }

    @Test
    void answersMinusOneWhenTheCountIsMissing() {
        assertThat(AnswerCountScanner.accepted(bytes("{\"error\":\"overloaded\"}"))).isEqualTo(-1);
        assertThat(AnswerCountScanner.accepted(bytes("{\"accepted\":\"many\"}"))).isEqualTo(-1);
        assertThat(AnswerCountScanner.accepted(new byte[0])).isEqualTo(-1);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
