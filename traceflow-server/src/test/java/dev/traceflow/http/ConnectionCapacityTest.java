package dev.traceflow.http;

import org.junit.jupiter.api.Test;

import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionCapacityTest {

    private final ConnectionCapacity capacity = new ConnectionCapacity(20_000);

    @Test
    void aLimitBelowTheConnectionsPlusTheServersOwnFiles_isAShortfall() {
        assertThat(capacity.shortfall(OptionalLong.of(1024))).hasValue(1024);
        assertThat(capacity.shortfall(OptionalLong.of(20_000))).as("connections alone fit, the server's own files not").hasValue(20_000);
    }

    @Test
    void aLimitThatHoldsEveryConnection_orAnUnknownOne_isNot() {
        assertThat(capacity.shortfall(OptionalLong.of(20_000 + ConnectionCapacity.FILES_BESIDES_CONNECTIONS))).isEmpty();
        assertThat(capacity.shortfall(OptionalLong.of(1_048_576))).isEmpty();
        assertThat(capacity.shortfall(OptionalLong.empty())).isEmpty();
    }
}
