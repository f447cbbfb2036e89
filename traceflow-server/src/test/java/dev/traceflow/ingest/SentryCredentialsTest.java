package dev.traceflow.ingest;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Where Sentry SDKs put their key, read as the SDKs write it. */
class SentryCredentialsTest {

    @Test
    void theAuthHeader_givesItsSentryKey_whereverItStands() {
        assertThat(SentryCredentials.keyFromAuthHeader("Sentry sentry_version=7, sentry_client=raven-js/3.0, sentry_key=tfk_abc"))
                .isEqualTo("tfk_abc");
        assertThat(SentryCredentials.keyFromAuthHeader("sentry_key=tfk_abc,sentry_secret=old")).isEqualTo("tfk_abc");
        assertThat(SentryCredentials.keyFromAuthHeader("Sentry sentry_version=7")).isNull();
        assertThat(SentryCredentials.keyFromAuthHeader("Sentry sentry_key=")).isNull();
        assertThat(SentryCredentials.keyFromAuthHeader(null)).isNull();
    }

    @Test
    void theQuery_isReadFromItsText_decoded() {
        assertThat(SentryCredentials.queryParameter("sentry_version=7&sentry_key=tfk_a%5Fb&sentry_client=x", "sentry_key"))
                .isEqualTo("tfk_a_b");
        assertThat(SentryCredentials.queryParameter("sentry_keys=1", "sentry_key")).isNull();
        assertThat(SentryCredentials.queryParameter("sentry_key=%zz", "sentry_key")).as("a broken escape").isNull();
        assertThat(SentryCredentials.queryParameter(null, "sentry_key")).isNull();
    }

    @Test
    void aDsn_givesItsKeyAndProject_withOrWithoutTheOldSecret_orNothing() {
        assertThat(SentryCredentials.parseDsn("https://tfk_abc@tf.example.com/traceflow/42"))
                .isEqualTo(new SentryCredentials.Dsn("tfk_abc", "42"));
        assertThat(SentryCredentials.parseDsn("http://tfk_abc:secret@127.0.0.1:8080/7"))
                .isEqualTo(new SentryCredentials.Dsn("tfk_abc", "7"));
        assertThat(SentryCredentials.parseDsn("https://tf.example.com/42")).as("no key").isNull();
        assertThat(SentryCredentials.parseDsn("https://tfk_abc@tf.example.com/")).as("no project").isNull();
        assertThat(SentryCredentials.parseDsn("not a dsn at all")).isNull();
        assertThat(SentryCredentials.parseDsn("https://%zz@tf.example.com/1")).isNull();
    }
}
