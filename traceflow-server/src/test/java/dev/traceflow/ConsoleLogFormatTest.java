package dev.traceflow;

import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

class ConsoleLogFormatTest {

    private static String formatIn(boolean terminal, String setting) {
        MockEnvironment env = new MockEnvironment();
        if (setting != null) {
            env.setProperty("TRACEFLOW_LOG_FORMAT", setting);
        }
        new ConsoleLogFormat(() -> terminal).postProcessEnvironment(env, null);
        return env.getProperty(ConsoleLogFormat.STRUCTURED);
    }

    @Test
    void inATerminal_logsAreForPeople_elsewhereEcsJson() {
        assertThat(formatIn(true, null)).as("./traceflow by hand").isNull();
        assertThat(formatIn(false, null)).as("a container or a pipe").isEqualTo("ecs");
    }

    @Test
    void theSetting_decidesOverTheTerminal() {
        assertThat(formatIn(true, "json")).isEqualTo("ecs");
        assertThat(formatIn(false, "text")).isNull();
    }

    @Test
    void anOperatorsOwnStructuredFormat_wins() {
        MockEnvironment env = new MockEnvironment().withProperty(ConsoleLogFormat.STRUCTURED, "logstash");
        new ConsoleLogFormat(() -> false).postProcessEnvironment(env, null);
        assertThat(env.getProperty(ConsoleLogFormat.STRUCTURED)).isEqualTo("logstash");
    }
}
