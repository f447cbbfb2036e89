package dev.traceflow.auth.internal;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CorsConfigurationTest {

    @Test
    void wildcard_neverAllowsCredentials() {
        var config = SecurityConfiguration.corsConfiguration(List.of("*"));
        assertThat(config.getAllowedOrigins()).containsExactly("*");
        assertThat(config.getAllowCredentials()).isFalse();
    }

    @Test
    void listedOrigins_allowCredentials() {
        var config = SecurityConfiguration.corsConfiguration(List.of("https://a.example", " https://b.example "));
        assertThat(config.getAllowedOrigins()).containsExactly("https://a.example", "https://b.example");
        assertThat(config.getAllowCredentials()).isTrue();
    }

    @Test
    void noOrigins_meansNoCrossOriginAccess() {
        assertThat(SecurityConfiguration.corsConfiguration(List.of())).isNull();
        assertThat(SecurityConfiguration.corsConfiguration(List.of(""))).isNull();
    }
}
