package dev.traceflow.http;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrustedProxiesTest {

    private final TrustedProxies proxies = new TrustedProxies(List.of("10.0.0.0/8", " 192.0.2.4 ", "fd00:1::/32"));

    @Test
    void blocks_matchByPrefix_forBothFamilies() {
        assertThat(proxies.trusts("10.255.1.2")).isTrue();
        assertThat(proxies.trusts("11.0.0.1")).isFalse();
        assertThat(proxies.trusts("192.0.2.4")).isTrue();
        assertThat(proxies.trusts("192.0.2.5")).isFalse();
        assertThat(proxies.trusts("fd00:1:ffff::1")).isTrue();
        assertThat(proxies.trusts("fd00:2::1")).isFalse();
        assertThat(proxies.trusts("localhost")).as("host names are never looked up").isFalse();
    }

    @Test
    void noBlocks_trustNothing() {
        TrustedProxies none = new TrustedProxies(List.of());
        assertThat(none.isEmpty()).isTrue();
        assertThat(none.client("127.0.0.1", List.of("203.0.113.7"))).isEqualTo("127.0.0.1");
    }

    @Test
    void theClient_isTheNearestUnlistedAddress_acrossHeaderLines() {
        assertThat(proxies.client("10.0.0.1", List.of("198.51.100.1, 203.0.113.7", "10.1.1.1"))).isEqualTo("203.0.113.7");
        assertThat(proxies.client("203.0.113.9", List.of("198.51.100.1"))).as("an unlisted peer").isEqualTo("203.0.113.9");
        assertThat(proxies.client("10.0.0.1", List.of())).isEqualTo("10.0.0.1");
        assertThat(proxies.client("10.0.0.1", List.of("10.0.0.2, 10.0.0.3"))).as("all proxies").isEqualTo("10.0.0.2");
        assertThat(proxies.client("10.0.0.1", List.of("unknown"))).isEqualTo("10.0.0.1");
        assertThat(proxies.client("10.0.0.1", List.of("[2001:db8::1]"))).isEqualTo("2001:db8:0:0:0:0:0:1");
    }

    @Test
    void badBlocks_areRefusedByName() {
        assertThatThrownBy(() -> new TrustedProxies(List.of("proxy.internal"))).hasMessageContaining("proxy.internal");
        assertThatThrownBy(() -> new TrustedProxies(List.of("10.0.0.0/33"))).hasMessageContaining("10.0.0.0/33");
    }

    @Test
    void ipv6Addresses_areLimitedBy64_ipv4ByAddress() {
        assertThat(IpAddresses.limitKey("2001:db8:1:2:3:4:5:6")).isEqualTo(IpAddresses.limitKey("2001:db8:1:2::9"));
        assertThat(IpAddresses.limitKey("2001:db8:1:3::9")).isNotEqualTo(IpAddresses.limitKey("2001:db8:1:2::9"));
        assertThat(IpAddresses.limitKey("203.0.113.7")).isEqualTo("203.0.113.7");
    }
}
