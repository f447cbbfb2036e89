package dev.traceflow.builds.internal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class CheckoutPathsTest {

    @ParameterizedTest
    @ValueSource(strings = {"../etc/passwd", "src/../../x", "/etc/passwd", "C:/x", "a\\b", "a/./b", "a//b", ".git/config",
            "src/\u0000x", "src/\nx", ""})
    void refused(String path) {
        assertThat(CheckoutPaths.problem(path)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"src/config.json", "web/public/.env.production", "a/b..c/d", "..hidden/x"})
    void allowed(String path) {
        assertThat(CheckoutPaths.problem(path)).isNull();
    }
}
