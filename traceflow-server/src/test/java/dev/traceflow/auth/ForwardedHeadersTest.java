package dev.traceflow.auth;

import dev.traceflow.support.ServerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README: client IPs (login limits, audit) come from X-Forwarded-For only when the direct peer is
 * a loopback or private-network proxy. These requests come from loopback, so the header counts;
 * that a public peer's header is ignored cannot be shown from here (every peer this machine can
 * be is loopback), and {@code TRACEFLOW_FORWARD_HEADERS=none} is ForwardHeadersNoneTest's.
 */
class ForwardedHeadersTest extends ServerTest {

    @Autowired
    JdbcClient jdbc;

    @Test
    void withoutTheHeader_theClientIsThePeer() {
        assertThat(ClientIps.seenAs(http, jdbc)).isEqualTo("127.0.0.1");
    }

    @Test
    void fromALoopbackProxy_theClientIsTheForwardedAddress() {
        assertThat(ClientIps.seenAs(http, jdbc, "X-Forwarded-For", "203.0.113.7")).isEqualTo("203.0.113.7");
    }

    /** The proxy appends what it saw: what a client wrote in front of that is its own claim, not believed. */
    @Test
    void aClientsOwnForwardedForInFrontOfTheProxys_isNotBelieved() {
        assertThat(ClientIps.seenAs(http, jdbc, "X-Forwarded-For", "198.51.100.9, 203.0.113.7")).isEqualTo("203.0.113.7");
    }

    /** Private-network and loopback addresses in the chain are proxies in between: the client is the nearest other one. */
    @Test
    void privateNetworkProxiesInTheChain_arePassedOver() {
        assertThat(ClientIps.seenAs(http, jdbc, "X-Forwarded-For", "198.51.100.9, 203.0.113.7, 10.1.2.3, 192.168.0.4"))
                .isEqualTo("203.0.113.7");
    }
}
