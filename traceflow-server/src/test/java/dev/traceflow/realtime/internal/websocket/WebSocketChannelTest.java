package dev.traceflow.realtime.internal.websocket;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WebSocketChannelTest {

    /** A Tomcat upgrade that renames its internal send would quietly bring back the slow encoding: this says so. */
    @Test
    void theTomcatOnTheClassPath_takesTextFramesAsBytes() {
        assertThat(WebSocketChannel.framesAsBytes()).isTrue();
    }

    /** Likewise for runs of prepared messages: without them a build log's followers cost Tomcat's per-message path again. */
    @Test
    void theTomcatOnTheClassPath_letsRunsOfFramesBeWrittenAtOnce() {
        assertThat(WebSocketChannel.frameRuns()).isTrue();
    }
}
