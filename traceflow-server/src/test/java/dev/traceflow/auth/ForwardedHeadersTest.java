package dev.traceflow.auth;

import dev.traceflow.support.ServerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README: client IPs (login limits, audit) come from X-Forwarded-For only when the direct peer is
 * a proxy listed in {@code TRACEFLOW_TRUSTED_PROXIES}. The test server lists loopback and
 * 192.0.2.0/24 (ServerTest), so these requests come through a listed proxy; a server that lists
 * none is NoTrustedProxiesTest's.
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

    /** Listed proxies in the chain are passed over: the client is the nearest address that is no listed proxy. */
    @Test
    void listedProxiesInTheChain_arePassedOver() {
        assertThat(ClientIps.seenAs(http, jdbc, "X-Forwarded-For", "198.51.100.9, 203.0.113.7, 192.0.2.8, 192.0.2.4"))
                .isEqualTo("203.0.113.7");
    }

    /** A private-network address is no proxy unless listed: a client inside the network is that client. */
    @Test
    void anUnlistedPrivateAddressInTheChain_isTheClient() {
        assertThat(ClientIps.seenAs(http, jdbc, "X-Forwarded-For", "203.0.113.7, 10.1.2.3, 192.0.2.4"))
                .isEqualTo("10.1.2.3");
    }

    /** Something that is no IP literal ends the chain at the listed proxy that passed it on. */
    @Test
    void aNonAddressInTheChain_stopsAtTheProxyThatPassedItOn() {
        assertThat(ClientIps.seenAs(http, jdbc, "X-Forwarded-For", "203.0.113.7, evil.example, 192.0.2.4"))
                .isEqualTo("192.0.2.4");
    }

    @Test
    void ipv6Clients_areRecordedWhole() {
        assertThat(ClientIps.seenAs(http, jdbc, "X-Forwarded-For", "2001:db8:5:6::7")).isEqualTo("2001:db8:5:6:0:0:0:7");
    }
}
