package dev.traceflow.outbound;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.support.TestProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The SSRF guard over every internal range and spelling. Names resolve through a map, never DNS;
 * no test connects anywhere.
 */
class OutboundGuardTest {

    private final List<String> resolved = new ArrayList<>();

    private final Map<String, List<String>> dns = Map.of(
            "hooks.example.com", List.of("203.0.113.10"),
            "dual.example.com", List.of("203.0.113.10", "2001:db8::10"),
            "split.example.com", List.of("203.0.113.10", "10.0.0.7"),
            "internal.example.com", List.of("192.168.1.20"),
            "metadata.example.com", List.of("169.254.169.254"),
            "localhost", List.of("127.0.0.1", "::1"),
            "xn--r8jz45g.jp", List.of("203.0.113.11"));

    private final HostResolver resolver = host -> {
        resolved.add(host);
        List<String> addresses = dns.get(host);
        if (addresses == null) {
            throw new UnknownHostException(host);
        }
        List<InetAddress> result = new ArrayList<>();
        for (String a : addresses) {
            result.add(InetAddress.getByName(a)); // literals only: no lookup
        }
        return result;
    };

    private final OutboundGuard guard = new OutboundGuard(List.of(), resolver);

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            http://127.0.0.1/                      | loopback address
            http://127.255.255.254:8080/x          | loopback address
            http://[::1]/                          | loopback address
            http://0.0.0.0/                        | unspecified address
            http://0.1.2.3/                        | unspecified address
            http://[::]/                           | unspecified address
            http://10.0.0.1/                       | private address
            http://10.255.255.255/                 | private address
            http://172.16.0.1/                     | private address
            http://172.31.255.255/                 | private address
            http://192.168.0.1/                    | private address
            http://100.64.0.1/                     | private address
            http://100.127.255.255/                | private address
            http://[fc00::1]/                      | private address
            http://[fd12:3456::1]/                 | private address
            http://[fec0::1]/                      | private address
            http://[64:ff9b:1::a00:1]/             | private address
            http://169.254.169.254/latest/meta-data | link-local address
            http://169.254.0.1/                    | link-local address
            http://[fe80::1]/                      | link-local address
            http://[febf::1]/                      | link-local address
            http://224.0.0.1/                      | multicast address
            http://239.255.255.250/                | multicast address
            http://[ff02::1]/                      | multicast address
            http://255.255.255.255/                | broadcast address
            http://240.0.0.1/                      | reserved address
            http://198.18.0.1/                     | reserved address
            http://192.0.0.170/                    | reserved address
            http://[100::1]/                       | reserved address
            http://[::ffff:127.0.0.1]/             | loopback address
            http://[::ffff:7f00:1]/                | loopback address
            http://[::ffff:10.1.2.3]/              | private address
            http://[::ffff:169.254.169.254]/       | link-local address
            http://[::127.0.0.1]/                  | loopback address
            http://[::10.0.0.1]/                   | private address
            http://[::ffff:0:192.168.0.1]/         | private address
            http://[64:ff9b::127.0.0.1]/           | loopback address
            http://[64:ff9b::a9fe:a9fe]/           | link-local address
            http://[2002:7f00:1::]/                | loopback address
            http://[2002:c0a8:101::1]/             | private address
            http://2130706433/                     | loopback address
            http://0x7f000001/                     | loopback address
            http://0x7f.1/                         | loopback address
            http://0X7F.0.0.1/                     | loopback address
            http://127.1/                          | loopback address
            http://127.0.1/                        | loopback address
            http://0177.0.0.1/                     | loopback address
            http://017700000001/                   | loopback address
            http://0/                              | unspecified address
            http://0xa.0.0.1/                      | private address
            http://012.0.0.1/                      | private address
            http://3232235521/                     | private address
            http://0xA9FEA9FE/                     | link-local address
            http://127.0.0.1./                     | loopback address
            HTTP://LOCALHOST/                      | loopback address
            http://localhost:8080/                 | loopback address
            http://internal.example.com/hook       | private address
            http://metadata.example.com/           | link-local address
            http://split.example.com/              | private address
            """)
    void internalAddresses_areRefused_inEverySpelling(String url, String reason) {
        assertThatThrownBy(() -> guard.requireAllowed(url))
                .isInstanceOf(OutboundRefused.class)
                .satisfies(e -> assertThat(((OutboundRefused) e).reason()).isEqualTo(reason))
                .hasMessageContaining("TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            ftp://hooks.example.com/                  | not http or https
            file:///etc/passwd                        | not http or https
            gopher://hooks.example.com/               | not http or https
            hooks.example.com/path                    | not http or https
            http:hooks.example.com                    | no host
            http:///path                              | no host
            http://user:pass@hooks.example.com/       | credentials in the URL
            http://user@hooks.example.com/            | credentials in the URL
            http://hooks.example.com/#frag            | fragment
            http://hooks.example.com:0/               | invalid port
            http://hooks.example.com:99999/           | invalid port
            http://hooks.example.com:80x/             | invalid port
            http://a_b.example.com/                   | invalid host
            http://-bad.example.com/                  | invalid host
            http://%31%32%37.0.0.1/                   | invalid host
            http://1.2.3.4.5/                         | invalid host
            http://256.0.0.1/                         | invalid host
            http://08.0.0.1/                          | invalid host
            http://4294967296/                        | invalid host
            http://[fe80::1%25eth0]/                  | invalid host
            http://[::1/                              | not a URL
            http://hooks example.com/                 | not a URL
            http://nowhere.example.com/               | host does not resolve
            """)
    void malformedOrUnsupportedUrls_areRefused(String url, String reason) {
        assertThatThrownBy(() -> guard.requireAllowed(url))
                .isInstanceOf(OutboundRefused.class)
                .satisfies(e -> assertThat(((OutboundRefused) e).reason()).isEqualTo(reason));
    }

    @Test
    void emptyAndOverlongUrls_areRefused() {
        assertThatThrownBy(() -> guard.requireAllowed(null)).isInstanceOf(OutboundRefused.class);
        assertThatThrownBy(() -> guard.requireAllowed(" ")).isInstanceOf(OutboundRefused.class);
        assertThatThrownBy(() -> guard.requireAllowed("https://hooks.example.com/" + "a".repeat(OutboundUrl.MAX_LENGTH)))
                .isInstanceOf(OutboundRefused.class).hasMessageContaining("longer than");
    }

    @Test
    void refusals_neverEchoThePathQueryOrCredentials() {
        assertThatThrownBy(() -> guard.requireAllowed("https://internal.example.com/services/T0/B0/s3cr3tT0ken?key=k3y"))
                .hasMessageNotContaining("s3cr3t").hasMessageNotContaining("k3y").hasMessageContaining("internal.example.com");
        assertThatThrownBy(() -> guard.requireAllowed("https://admin:hunter2@hooks.example.com/"))
                .hasMessageNotContaining("hunter2").hasMessageNotContaining("admin");
        assertThatThrownBy(() -> guard.requireAllowed("https://hooks.example.com/p?token=t0k3n#x"))
                .hasMessageNotContaining("t0k3n");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            https://hooks.example.com/a/b?c=d%20e     | https://hooks.example.com/a/b?c=d%20e
            HTTPS://Hooks.Example.COM:8443/x          | https://hooks.example.com:8443/x
            https://hooks.example.com./x              | https://hooks.example.com/x
            http://dual.example.com                   | http://dual.example.com
            http://203.0.113.10/                      | http://203.0.113.10/
            http://0xcb.0.113.10/                     | http://203.0.113.10/
            http://3405803786/                        | http://203.0.113.10/
            http://[2001:db8::10]:8080/               | http://[2001:db8:0:0:0:0:0:10]:8080/
            http://[::ffff:203.0.113.10]/             | http://203.0.113.10/
            http://例え.jp/                           | http://xn--r8jz45g.jp/
            """)
    void publicAddresses_areAllowed_andTheUrlComesBackInPlainForm(String url, String plain) {
        assertThat(guard.requireAllowed(url)).isEqualTo(URI.create(plain));
    }

    @Test
    void aNameWithOnePublicAndOnePrivateAddress_isRefused() {
        assertThatThrownBy(() -> guard.requireAllowed("https://split.example.com/hook"))
                .isInstanceOf(OutboundRefused.class)
                .hasMessageContaining("split.example.com resolves to a private address");
    }

    @Test
    void ipLiterals_inAnySpelling_neverReachTheResolver() throws Exception {
        guard.requireAllowed("http://3405803786/");
        guard.requireAllowed("http://[2001:db8::10]/");
        guard.requireAllowedAtConnect(URI.create("http://0xcb.0.113.10/"));
        assertThatThrownBy(() -> guard.requireAllowed("http://2130706433/")).isInstanceOf(OutboundRefused.class);
        assertThat(resolved).isEmpty();
    }

    @Test
    void atConnect_theNameIsResolvedAgain_andTheCheckedAddressReturned() throws Exception {
        URI url = guard.requireAllowed("https://dual.example.com/hook");
        assertThat(guard.requireAllowedAtConnect(url)).isEqualTo(InetAddress.getByName("203.0.113.10"));
        assertThat(resolved).containsExactly("dual.example.com", "dual.example.com");
    }

    @Test
    void atConnect_aNameThatNowResolvesToAPrivateAddress_isRefused() throws Exception {
        List<String> answer = new ArrayList<>(List.of("203.0.113.10"));
        OutboundGuard rebinding = new OutboundGuard(List.of(), host -> List.of(InetAddress.getByName(answer.getFirst())));
        URI url = rebinding.requireAllowed("https://rebind.example.com/hook");
        answer.set(0, "127.0.0.1");
        assertThatThrownBy(() -> rebinding.requireAllowedAtConnect(url))
                .isInstanceOf(OutboundRefused.class)
                .satisfies(e -> assertThat(((OutboundRefused) e).reason()).isEqualTo("loopback address"));
    }

    @Test
    void atConnect_aNameThatNoLongerResolves_isAnUnknownHost_notARefusal() {
        OutboundGuard gone = new OutboundGuard(List.of(), host -> {
            throw new UnknownHostException(host);
        });
        assertThatThrownBy(() -> gone.requireAllowedAtConnect(URI.create("https://gone.example.com/")))
                .isInstanceOf(UnknownHostException.class);
    }

    @Test
    void theAllowList_letsItsNetworksThrough_andNothingElse() throws Exception {
        OutboundGuard allowing = new OutboundGuard(List.of("127.0.0.1/32", " 10.1.0.0/16 ", "fd00:1::/32"), resolver);
        assertThat(allowing.requireAllowed("http://127.0.0.1:8080/hook")).isEqualTo(URI.create("http://127.0.0.1:8080/hook"));
        assertThat(allowing.requireAllowedAtConnect(URI.create("http://127.0.0.1:8080/hook")))
                .isEqualTo(InetAddress.getByName("127.0.0.1"));
        allowing.requireAllowed("http://2130706433/");
        allowing.requireAllowed("http://[::ffff:127.0.0.1]/");
        allowing.requireAllowed("http://[64:ff9b::7f00:1]/");
        allowing.requireAllowed("http://10.1.200.3/");
        allowing.requireAllowed("http://[fd00:1:2::3]/");
        assertThatThrownBy(() -> allowing.requireAllowed("http://127.0.0.2/")).isInstanceOf(OutboundRefused.class);
        assertThatThrownBy(() -> allowing.requireAllowed("http://10.2.0.1/")).isInstanceOf(OutboundRefused.class);
        assertThatThrownBy(() -> allowing.requireAllowed("http://[::1]/")).as("IPv6 loopback is another network")
                .isInstanceOf(OutboundRefused.class);
        assertThatThrownBy(() -> allowing.requireAllowed("http://localhost/")).as("::1 is not allowed")
                .isInstanceOf(OutboundRefused.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "intranet", "10.0.0.0/x", "::1/129"})
    void aBadAllowListEntry_stopsTheStart_namingTheSetting(String entry) {
        assertThatThrownBy(() -> new OutboundGuard(List.of("127.0.0.1/32", entry), resolver))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS").hasMessageContaining(entry);
    }

    @Test
    void theSetting_isReadFromItsEnvironmentVariable_commaSeparated() {
        StandardEnvironment environment = new StandardEnvironment();
        // by its usual name: only that source gets the environment variable mapping (MAX_ATTEMPTS -> max-attempts)
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                Map.of("TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS", "127.0.0.1/32,10.1.0.0/16")));
        TraceFlowProperties properties = Binder.get(environment).bindOrCreate("traceflow", TraceFlowProperties.class);
        assertThat(properties.outbound().allowedNetworks()).containsExactly("127.0.0.1/32", "10.1.0.0/16");
        assertThat(TestProperties.defaults().outbound().allowedNetworks()).isEmpty();
    }
}
