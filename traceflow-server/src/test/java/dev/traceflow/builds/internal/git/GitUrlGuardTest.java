package dev.traceflow.builds.internal.git;

import dev.traceflow.outbound.HostResolver;
import dev.traceflow.outbound.OutboundGuard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The git URL guard over git's own ways past an SSRF check. Names resolve through a map, never DNS; nothing connects. */
class GitUrlGuardTest {

    private final List<String> resolved = new ArrayList<>();
    private final Map<String, String> dns = Map.of(
            "github.com", "140.82.121.3",
            "git.example.com", "203.0.113.20",
            "internal.example.com", "10.1.2.3",
            "sneaky.example.com", "169.254.169.254",
            "mapped.example.com", "::ffff:127.0.0.1",
            "git.corp.example", "10.20.0.5");

    private final HostResolver resolver = host -> {
        resolved.add(host);
        String a = dns.get(host);
        if (a == null) {
            throw new UnknownHostException(host);
        }
        return List.of(InetAddress.getByName(a)); // literals only
    };

    private final GitUrlGuard strict = new GitUrlGuard(new OutboundGuard(List.of(), resolver));
    private final GitUrlGuard corp = new GitUrlGuard(new OutboundGuard(List.of("10.20.0.0/16"), resolver));

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            file:///etc/passwd                         | not file:
            file://localhost/srv/repo.git              | not file:
            /srv/git/repo.git                          | local paths
            ./repo                                     | local paths
            git://github.com/a/b.git                   | not git:
            ext::sh -c touch% /tmp/pwned               | spaces
            ext::ssh-evil                              | transport helpers
            fd::17                                     | transport helpers
            https://user:hunter2@github.com/a/b.git      | credentials
            https://hunter2@github.com/a/b.git           | credentials
            ssh://git:hunter2@github.com/a/b.git            | credentials
            https://github.com/a/b.bundle              | bundles
            https://github.com/a/b.git?x=1             | query
            https://github.com/a/b.git#main            | query
            http://github.com/a/b.git                  | plain http
            https://127.0.0.1/a.git                    | loopback
            http://2130706433/a.git                    | loopback
            https://0x7f.1/a.git                       | loopback
            http://[::ffff:127.0.0.1]/a.git            | loopback
            https://[::1]/a.git                        | loopback
            https://169.254.169.254/a.git              | link-local
            https://10.0.0.1/a.git                     | private
            https://100.64.1.1/a.git                   | private
            https://[fd00::1]/a.git                    | private
            https://224.0.0.1/a.git                    | multicast
            https://internal.example.com/a.git         | private
            https://sneaky.example.com/a.git           | link-local
            https://mapped.example.com/a.git           | loopback
            git@internal.example.com:team/app.git      | private
            ssh://-oProxyCommand=x/a.git               | host
            ssh://-oProxyCommand@github.com/a.git      | user
            https://nowhere.example.com/a.git          | does not resolve
            https://github.com                         | repository path
            ''                                         | empty
            """)
    void refused(String url, String why) {
        assertThatThrownBy(() -> strict.requireAllowed(url)).isInstanceOf(GitUrlRefused.class)
                .hasMessageStartingWith("URL refused: ").hasMessageContaining(why)
                .message().doesNotContain("hunter2");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            https://GitHub.com/team/app.git           | https://github.com/team/app.git
            https://github.com:8443/team/app.git      | https://github.com:8443/team/app.git
            ssh://git@github.com/team/app.git         | ssh://git@github.com/team/app.git
            git@github.com:team/app.git               | ssh://git@github.com/team/app.git
            ssh://git.example.com:2222/srv/app.git    | ssh://git.example.com:2222/srv/app.git
            """)
    void allowed(String url, String plain) {
        assertThat(strict.requireAllowed(url).toString()).isEqualTo(plain);
    }

    @Test
    void plainHttp_isAllowedOnlyInsideTheAllowedNetworks() throws Exception {
        GitUrl url = corp.requireAllowed("http://git.corp.example/team/app.git");
        assertThat(url.scheme()).isEqualTo("http");
        assertThat(corp.requireAllowedAtConnect(url).getHostAddress()).isEqualTo("10.20.0.5");
        assertThatThrownBy(() -> corp.requireAllowed("http://git.example.com/team/app.git")).isInstanceOf(GitUrlRefused.class)
                .hasMessageContaining("plain http");
        assertThatThrownBy(() -> corp.requireAllowed("https://10.21.0.1/a.git")).hasMessageContaining("private address");
    }

    /** DNS rebinding: the name was public when saved and points inside at connect time. */
    @Test
    void connect_checksTheNameAgain() {
        Map<String, String> answers = new java.util.HashMap<>(Map.of("flip.example.com", "203.0.113.7"));
        GitUrlGuard guard = new GitUrlGuard(new OutboundGuard(List.of(), host -> List.of(InetAddress.getByName(answers.get(host)))));
        GitUrl saved = guard.requireAllowed("https://flip.example.com/a.git");
        answers.put("flip.example.com", "127.0.0.1");
        assertThatThrownBy(() -> guard.requireAllowedAtConnect(saved)).isInstanceOf(GitUrlRefused.class)
                .hasMessageContaining("loopback");
    }

    @Test
    void literals_areNotResolved() {
        assertThatThrownBy(() -> strict.requireAllowed("http://2130706433/a.git")).isInstanceOf(GitUrlRefused.class);
        assertThat(resolved).isEmpty();
    }
}
