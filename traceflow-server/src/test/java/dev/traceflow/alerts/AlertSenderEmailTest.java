package dev.traceflow.alerts;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.traceflow.TraceFlowProperties;
import dev.traceflow.outbound.OutboundGuard;
import dev.traceflow.support.TestProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.mail.MailSendException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** E-mail delivery through a real SMTP server (GreenMail) on 127.0.0.1. */
class AlertSenderEmailTest {

    @RegisterExtension
    static final GreenMailExtension smtp = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("alerts@traceflow.test", "alerts", "right-password"));

    private final List<DeliveryAttempt> attempts = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Map<String, String> settings = new HashMap<>(Map.of(
            "traceflow.alerts.delivery.base-delay", "10ms",
            "traceflow.alerts.delivery.max-delay", "40ms",
            "traceflow.alerts.delivery.max-attempts", "3",
            "traceflow.smtp.host", "127.0.0.1",
            "traceflow.smtp.from", "TraceFlow Alerts <alerts@traceflow.test>",
            "traceflow.smtp.starttls", "false", // GreenMail's plain SMTP; the default requires STARTTLS
            "traceflow.smtp.connect-timeout", "2s",
            "traceflow.smtp.timeout", "2s"));
    private AlertSender sender;

    @AfterEach
    void stop() {
        if (sender != null) {
            sender.stop();
        }
    }

    private AlertSender sender(int port) {
        settings.put("traceflow.smtp.port", Integer.toString(port));
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        beans.registerSingleton("recorder", (DeliveryRecorder) attempts::add);
        sender = new AlertSender(TestProperties.of(settings), new OutboundGuard(List.of(), host -> List.of()),
                beans.getBeanProvider(DeliveryRecorder.class), registry, Clock.systemUTC());
        sender.start();
        return sender;
    }

    private static AlertMessage email(String id, String subject, String... to) {
        return new AlertMessage(id, "ch_mail", new ChannelTarget.Email(List.of(to)), subject, "{}",
                "Rule: checkout errors\nState: firing\nValue: 42 errors in 5 minutes");
    }

    private List<DeliveryAttempt> awaitLast(String deliveryId) {
        await().atMost(Duration.ofSeconds(20)).until(() -> attempts.stream().anyMatch(a -> a.deliveryId().equals(deliveryId) && a.last()));
        return attempts.stream().filter(a -> a.deliveryId().equals(deliveryId)).toList();
    }

    private double count(String outcome) {
        return registry.get("traceflow.alerts.deliveries").tag("type", "email").tag("outcome", outcome).counter().count();
    }

    @Test
    void anEmail_reachesEveryRecipient_withSubjectAndPlainTextBody() throws Exception {
        sender(smtp.getSmtp().getPort());
        assertThat(sender.emailConfigured()).isTrue();
        assertThat(sender.submit(email("dlv_mail", "[TraceFlow] Firing: checkout errors", "oncall@example.com", "dev@example.com")))
                .isTrue();

        assertThat(awaitLast("dlv_mail")).singleElement().satisfies(a -> {
            assertThat(a.delivered()).isTrue();
            assertThat(a.detail()).isEqualTo("SMTP 250");
        });
        MimeMessage[] received = smtp.getReceivedMessages();
        assertThat(received).hasSize(2); // one copy per recipient's mailbox
        MimeMessage m = received[0];
        assertThat(Arrays.stream(m.getRecipients(Message.RecipientType.TO)).map(a -> ((InternetAddress) a).getAddress()))
                .containsExactly("oncall@example.com", "dev@example.com");
        assertThat(((InternetAddress) m.getFrom()[0]).getAddress()).isEqualTo("alerts@traceflow.test");
        assertThat(m.getSubject()).isEqualTo("[TraceFlow] Firing: checkout errors");
        assertThat(m.getContentType()).startsWith("text/plain");
        assertThat(((String) m.getContent()).replace("\r\n", "\n")).isEqualTo("Rule: checkout errors\nState: firing\nValue: 42 errors in 5 minutes");
        assertThat(m.getHeader("X-TraceFlow-Delivery")).containsExactly("dlv_mail");
        assertThat(m.getHeader("Auto-Submitted")).containsExactly("auto-generated");
        assertThat(count("delivered")).isEqualTo(1.0);
    }

    @Test
    void lineBreaksInTheSubject_cannotAddHeaders() throws Exception {
        sender(smtp.getSmtp().getPort());
        sender.submit(email("dlv_inject", "Firing\r\nBcc: attacker@example.com\nX-Evil: 1", "oncall@example.com"));

        awaitLast("dlv_inject");
        MimeMessage m = smtp.getReceivedMessages()[0];
        assertThat(m.getSubject()).isEqualTo("Firing Bcc: attacker@example.com X-Evil: 1");
        assertThat(m.getHeader("X-Evil")).isNull();
        assertThat(m.getRecipients(Message.RecipientType.BCC)).isNull();
        assertThat(smtp.getReceivedMessages()).hasSize(1);
    }

    @Test
    void aRejectedLogin_isAFinal5xx_afterOneAttempt() {
        settings.put("traceflow.smtp.username", "alerts");
        settings.put("traceflow.smtp.password", "wrong-password");
        sender(smtp.getSmtp().getPort());
        sender.submit(email("dlv_denied", "Firing", "oncall@example.com"));

        assertThat(awaitLast("dlv_denied")).singleElement().satisfies(a -> {
            assertThat(a.delivered()).isFalse();
            assertThat(a.last()).isTrue();
            assertThat(a.detail()).startsWith("SMTP 535").doesNotContain("wrong-password");
        });
        assertThat(smtp.getReceivedMessages()).isEmpty();
        assertThat(count("failed")).isEqualTo(1.0);
    }

    @Test
    void theRightLogin_isAccepted() {
        settings.put("traceflow.smtp.username", "alerts");
        settings.put("traceflow.smtp.password", "right-password");
        sender(smtp.getSmtp().getPort());
        sender.submit(email("dlv_login", "Firing", "oncall@example.com"));

        assertThat(awaitLast("dlv_login")).singleElement().satisfies(a -> assertThat(a.delivered()).isTrue());
        assertThat(smtp.getReceivedMessages()).hasSize(1);
    }

    @Test
    void anUnreachableServer_isRetried_untilTheAttemptsRunOut() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        sender(closed);
        sender.submit(email("dlv_nosmtp", "Firing", "oncall@example.com"));

        List<DeliveryAttempt> done = awaitLast("dlv_nosmtp");
        assertThat(done).extracting(DeliveryAttempt::attempt).containsExactly(1, 2, 3);
        assertThat(done.getFirst().detail()).isEqualTo("SMTP server unreachable");
        assertThat(done.getLast().detail()).isEqualTo("SMTP server unreachable; given up after 3 attempts");
        assertThat(count("retried")).isEqualTo(2.0);
    }

    @Test
    void smtpReplies_4xxAreRetried_5xxAreFinal_asJakartaMailReportsThem() {
        MailSendException tempFail = new MailSendException(Map.of(new Object(),
                new SendFailedException("Invalid Addresses", new MessagingException("451 4.3.0 Mailbox busy, try later\n"))));
        assertThat(SmtpMailer.judge(tempFail)).isEqualTo(AttemptOutcome.retry("SMTP 451 4.3.0 Mailbox busy, try later"));
        MailSendException refused = new MailSendException(Map.of(new Object(),
                new SendFailedException("Invalid Addresses", new MessagingException("550 5.1.1 <x@example.com>: no such user"))));
        assertThat(SmtpMailer.judge(refused)).isEqualTo(AttemptOutcome.giveUp("SMTP 550 5.1.1 <x@example.com>: no such user"));
        MailSendException timeout = new MailSendException("Mail server connection failed",
                new MessagingException("Exception reading response", new SocketTimeoutException("Read timed out")));
        assertThat(SmtpMailer.judge(timeout)).isEqualTo(AttemptOutcome.retry("SMTP timeout"));
    }

    @Test
    void withoutAnSmtpHost_emailIsNotConfigured_andADeliveryFailsAtOnce() {
        settings.remove("traceflow.smtp.host");
        sender(smtp.getSmtp().getPort());
        assertThat(sender.emailConfigured()).isFalse();
        sender.submit(email("dlv_unconfigured", "Firing", "oncall@example.com"));

        assertThat(awaitLast("dlv_unconfigured")).singleElement()
                .satisfies(a -> assertThat(a.detail()).isEqualTo("e-mail is not configured (TRACEFLOW_SMTP_HOST)"));
    }

    @Test
    void anInvalidRecipient_isFinal() {
        sender(smtp.getSmtp().getPort());
        sender.submit(email("dlv_badrcpt", "Firing", "not an address"));

        assertThat(awaitLast("dlv_badrcpt")).singleElement()
                .satisfies(a -> assertThat(a.detail()).isEqualTo("invalid recipient address"));
    }

    @Test
    void settings_refuseAHostWithoutSender_andHideThePassword() {
        assertThatThrownBy(() -> TestProperties.of(Map.of("traceflow.smtp.host", "smtp.example.com")))
                .isInstanceOf(BindException.class).rootCause().hasMessageContaining("TRACEFLOW_SMTP_FROM");
        assertThat(TestProperties.of(Map.of("traceflow.smtp.host", "smtp.example.com", "traceflow.smtp.from", "a@example.com",
                "traceflow.smtp.password", "hunter2")).smtp().toString()).doesNotContain("hunter2");
        assertThat(TestProperties.defaults().smtp().configured()).isFalse();
        assertThat(TestProperties.defaults().smtp().port()).isEqualTo(587);
        assertThat(TestProperties.defaults().smtp().starttls()).isTrue();
    }

    @Test
    void settings_areReadFromTheirEnvironmentVariables() {
        StandardEnvironment environment = new StandardEnvironment();
        // by its usual name: only that source gets the environment variable mapping (MAX_ATTEMPTS -> max-attempts)
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(
                "TRACEFLOW_SMTP_HOST", "smtp.example.com", "TRACEFLOW_SMTP_PORT", "2525", "TRACEFLOW_SMTP_USERNAME", "alerts",
                "TRACEFLOW_SMTP_PASSWORD", "pw", "TRACEFLOW_SMTP_FROM", "alerts@example.com", "TRACEFLOW_SMTP_STARTTLS", "false",
                "TRACEFLOW_ALERTS_DELIVERY_MAX_ATTEMPTS", "9", "TRACEFLOW_ALERTS_DELIVERY_BASE_DELAY", "30s")));
        TraceFlowProperties properties = Binder.get(environment).bindOrCreate("traceflow", TraceFlowProperties.class);
        assertThat(properties.smtp()).isEqualTo(new TraceFlowProperties.Smtp("smtp.example.com", 2525, "alerts", "pw",
                "alerts@example.com", false, Duration.ofSeconds(5), Duration.ofSeconds(10)));
        assertThat(properties.alerts().delivery().maxAttempts()).isEqualTo(9);
        assertThat(properties.alerts().delivery().baseDelay()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void anInvalidSenderAddress_stopsTheStart() {
        settings.put("traceflow.smtp.from", "not an address");
        assertThatThrownBy(() -> sender(smtp.getSmtp().getPort()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TRACEFLOW_SMTP_FROM");
    }
}
