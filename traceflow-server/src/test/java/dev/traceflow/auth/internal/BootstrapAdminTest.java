package dev.traceflow.auth.internal;

import dev.traceflow.auth.User;
import dev.traceflow.support.TestProperties;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * API.md / README: without TRACEFLOW_BOOTSTRAP_ADMIN_PASSWORD the first start creates {@code admin}
 * with a generated password, written to the log that one time; it must be one a person can log in
 * with and one the password rules accept. On a real (in-memory H2) metadata database.
 */
@ExtendWith(OutputCaptureExtension.class)
class BootstrapAdminTest {

    private static final Pattern LOGGED = Pattern.compile("Created user 'admin' with password (\\S+) \\(shown once");

    private final Passwords passwords = new Passwords(TestProperties.of(Map.of("traceflow.auth.bcrypt-strength", "4")));

    private static JdbcUsers freshDatabase() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:bootstrap-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        return new JdbcUsers(JdbcClient.create(ds));
    }

    private BootstrapAdmin bootstrap(JdbcUsers users) {
        return new BootstrapAdmin(users, passwords, TestProperties.defaults());
    }

    private static String loggedPassword(String log, int nth) {
        Matcher m = LOGGED.matcher(log);
        for (int i = 0; i < nth; i++) {
            assertThat(m.find()).as("password number " + nth + " in the log").isTrue();
        }
        return m.group(1);
    }

    @Test
    void firstStart_withoutAPassword_generatesOneThatMeetsTheRules_works_andIsLoggedOnce(CapturedOutput output) {
        JdbcUsers users = freshDatabase();
        bootstrap(users).afterPropertiesSet();
        String password = loggedPassword(output.getOut(), 1);

        // the README's rule, not the code's constants: 10 characters to 72 bytes
        assertThat(password.length()).isGreaterThanOrEqualTo(10);
        assertThat(password.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(72);
        User admin = users.findByUsername("admin").orElseThrow();
        assertThat(admin.admin()).isTrue();
        String hash = users.passwordHash(admin.id()).orElseThrow();
        assertThat(passwords.matches(password, hash)).as("the login check accepts it").isTrue();
        assertThat(passwords.matches(password + "x", hash)).isFalse();

        // later starts on the same database create nothing and log no password
        bootstrap(users).afterPropertiesSet();
        bootstrap(users).afterPropertiesSet();
        assertThat(output.getOut().split(Pattern.quote(password), -1)).as("logged exactly once").hasSize(2);
        assertThat(LOGGED.matcher(output.getOut()).results().count()).isEqualTo(1);
    }

    @Test
    void eachNewServer_getsAPasswordOfItsOwn(CapturedOutput output) {
        bootstrap(freshDatabase()).afterPropertiesSet();
        bootstrap(freshDatabase()).afterPropertiesSet();

        assertThat(loggedPassword(output.getOut(), 1)).isNotEqualTo(loggedPassword(output.getOut(), 2));
    }
}
