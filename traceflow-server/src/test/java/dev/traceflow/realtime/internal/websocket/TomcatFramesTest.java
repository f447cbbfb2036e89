package dev.traceflow.realtime.internal.websocket;

import dev.traceflow.realtime.PreparedText;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The text frames made for runs of prepared messages: RFC 6455's header for each payload length, unmasked. */
class TomcatFramesTest {

    private static byte[] frame(String json) {
        PreparedText message = PreparedText.of(json);
        ByteBuffer out = ByteBuffer.allocate(TomcatFrames.frameLength(message));
        TomcatFrames.putFrame(out, message);
        assertThat(out.hasRemaining()).as("frameLength is the frame's length").isFalse();
        return out.array();
    }

    @Test
    void aShortMessage_hasATwoByteHeader() {
        byte[] frame = frame("{\"a\":1}");
        assertThat(frame[0]).isEqualTo((byte) 0x81); // FIN, text
        assertThat(frame[1]).isEqualTo((byte) 7); // no mask bit, length 7
        assertThat(new String(frame, 2, 7, StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
    }

    @Test
    void aMessageOf126To65535Bytes_hasASixteenBitLength_countedInUtf8Bytes() {
        String json = "\"" + "é".repeat(100) + "\""; // 102 characters, 202 bytes
        byte[] frame = frame(json);
        assertThat(frame[1]).isEqualTo((byte) 126);
        assertThat(((frame[2] & 0xff) << 8) | (frame[3] & 0xff)).isEqualTo(202);
        assertThat(new String(frame, 4, 202, StandardCharsets.UTF_8)).isEqualTo(json);
        assertThat(frame("\"" + "x".repeat(123) + "\"")[1]).isEqualTo((byte) 125); // the last two-byte header
    }

    @Test
    void aMessageOf65536BytesOrMore_hasASixtyFourBitLength() {
        String json = "\"" + "x".repeat(65_534) + "\"";
        byte[] frame = frame(json);
        assertThat(frame[1]).isEqualTo((byte) 127);
        assertThat(ByteBuffer.wrap(frame, 2, 8).getLong()).isEqualTo(65_536);
        assertThat(Arrays.copyOfRange(frame, 10, frame.length)).isEqualTo(json.getBytes(StandardCharsets.UTF_8));
    }
}
