package dev.traceflow.auth;

import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/** The client IP a server takes a request to come from, as its audit trail records it. */
final class ClientIps {

    private ClientIps() {
    }

    /** Sends a failed login with these headers and returns the client IP of its audit row. */
    static String seenAs(TestHttp http, JdbcClient jdbc, String... headers) {
        String name = TestAuth.uniqueName("ip");
        String[] all = new String[headers.length + 2];
        all[0] = "Content-Type";
        all[1] = "application/json";
        System.arraycopy(headers, 0, all, 2, headers.length);
        TestHttp.Response r = http.post("/auth/login", "{\"username\":\"" + name + "\",\"password\":\"not-the-password\"}", all);
        assertThat(r.status()).as(r.toString()).isEqualTo(401);
        return jdbc.sql("SELECT client_ip FROM audits WHERE action = 'auth.login_failed' AND actor_name = ?")
                .param(name).query(String.class).single();
    }
}
