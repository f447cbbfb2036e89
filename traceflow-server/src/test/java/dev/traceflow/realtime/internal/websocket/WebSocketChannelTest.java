package dev.traceflow.realtime.internal.websocket;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WebSocketChannelTest {

    /** A Tomcat upgrade that renames its internal send would quietly bring back the slow encoding: this says so. */
    @Test
    void theTomcatOnTheClassPath_takesTextFramesAsBytes() {
        assertThat(WebSocketChannel.framesAsBytes()).isTrue();
    }
}
