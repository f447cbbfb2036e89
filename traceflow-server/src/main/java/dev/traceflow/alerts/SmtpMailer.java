package dev.traceflow.alerts;

import dev.traceflow.TraceFlowProperties;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.springframework.mail.MailAuthenticationException;
import org.springframework.mail.MailException;
import org.springframework.mail.MailSendException;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.mail.javamail.MimeMessageHelper;

import javax.net.ssl.SSLException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One e-mail attempt over the SMTP server of {@code TRACEFLOW_SMTP_*}: a plain-text message. An
 * SMTP 4xx reply, a timeout or a failed connection is worth retrying; a 5xx reply (a recipient
 * refused, a login rejected) is final.
 */
final class SmtpMailer {

    static final int MAX_SUBJECT_CHARS = 200;

    /** Jakarta Mail puts the server's reply first in its messages: "550 5.1.1 no such user". */
    private static final Pattern REPLY = Pattern.compile("^([2-5][0-9][0-9])[ -]");

    private final JavaMailSenderImpl sender;
    private final InternetAddress from;

    /**
     * @throws IllegalArgumentException when {@code TRACEFLOW_SMTP_FROM} is no e-mail address (stops the start)
     */
    SmtpMailer(TraceFlowProperties.Smtp smtp) {
        if (!smtp.configured()) {
            this.sender = null;
            this.from = null;
            return;
        }
        try {
            this.from = new InternetAddress(smtp.from(), true);
        } catch (AddressException e) {
            throw new IllegalArgumentException("TRACEFLOW_SMTP_FROM is no valid e-mail address");
        }
        JavaMailSenderImpl s = new JavaMailSenderImpl();
        s.setHost(smtp.host().strip());
        s.setPort(smtp.port());
        s.setDefaultEncoding("UTF-8");
        boolean login = smtp.username() != null && !smtp.username().isBlank();
        if (login) {
            s.setUsername(smtp.username());
            s.setPassword(smtp.password());
        }
        Properties p = new Properties();
        p.setProperty("mail.transport.protocol", "smtp");
        p.setProperty("mail.smtp.auth", Boolean.toString(login));
        // required, not just enabled: a server (or someone in between) that offers no STARTTLS must not
        // get the login and the alerts in clear text
        p.setProperty("mail.smtp.starttls.enable", Boolean.toString(smtp.starttls()));
        p.setProperty("mail.smtp.starttls.required", Boolean.toString(smtp.starttls()));
        p.setProperty("mail.smtp.ssl.checkserveridentity", "true");
        p.setProperty("mail.smtp.connectiontimeout", Long.toString(smtp.connectTimeout().toMillis()));
        p.setProperty("mail.smtp.timeout", Long.toString(smtp.timeout().toMillis()));
        p.setProperty("mail.smtp.writetimeout", Long.toString(smtp.timeout().toMillis()));
        s.setJavaMailProperties(p);
        this.sender = s;
    }

    boolean configured() {
        return sender != null;
    }

    /**
     * @param at the attempt's time: the message's Date
     */
    AttemptOutcome send(String deliveryId, ChannelTarget.Email target, String subject, String text, Instant at) {
        if (sender == null) {
            return AttemptOutcome.giveUp("e-mail is not configured (TRACEFLOW_SMTP_HOST)");
        }
        MimeMessage message = sender.createMimeMessage();
        try {
            MimeMessageHelper m = new MimeMessageHelper(message, false, "UTF-8");
            m.setFrom(from);
            List<InternetAddress> to = new ArrayList<>();
            for (String address : target.to()) {
                to.add(new InternetAddress(address, true));
            }
            m.setTo(to.toArray(InternetAddress[]::new));
            m.setSubject(oneLine(subject));
            m.setText(text, false);
            m.setSentDate(Date.from(at));
            message.setHeader(WebhookPoster.DELIVERY_HEADER, deliveryId);
            // RFC 3834: vacation responders and other robots do not answer it
            message.setHeader("Auto-Submitted", "auto-generated");
        } catch (AddressException e) {
            return AttemptOutcome.giveUp("invalid recipient address");
        } catch (MessagingException e) {
            return AttemptOutcome.giveUp("could not build the message");
        }
        try {
            sender.send(message);
            return AttemptOutcome.delivered("SMTP 250");
        } catch (MailException e) {
            return judge(e);
        }
    }

    /** No line breaks in the subject (they would start new headers), and a length a mail client shows. */
    static String oneLine(String subject) {
        String s = subject.replaceAll("[\\r\\n\\t\\x00-\\x1f\\x7f]+", " ").strip();
        return s.length() <= MAX_SUBJECT_CHARS ? s : s.substring(0, MAX_SUBJECT_CHARS - 3) + "...";
    }

    static AttemptOutcome judge(MailException e) {
        List<Throwable> causes = causes(e);
        for (Throwable t : causes) {
            String message = t.getMessage() == null ? "" : t.getMessage().strip();
            Matcher reply = REPLY.matcher(message);
            if (reply.find()) {
                String detail = "SMTP " + message.lines().findFirst().orElse("");
                return reply.group(1).startsWith("4") ? AttemptOutcome.retry(detail) : AttemptOutcome.giveUp(detail);
            }
        }
        if (e instanceof MailAuthenticationException) {
            return AttemptOutcome.giveUp("SMTP login refused");
        }
        for (Throwable t : causes) {
            if (t instanceof SocketTimeoutException) {
                return AttemptOutcome.retry("SMTP timeout");
            }
            if (t instanceof ConnectException) {
                return AttemptOutcome.retry("SMTP server unreachable");
            }
            if (t instanceof UnknownHostException) {
                return AttemptOutcome.retry("SMTP host does not resolve");
            }
            if (t instanceof SSLException) {
                return AttemptOutcome.retry("SMTP TLS failed");
            }
        }
        // e.g. "STARTTLS is required but host does not support STARTTLS": the server's words, no secret in them
        Throwable last = causes.getLast();
        return AttemptOutcome.retry("SMTP error: " + (last.getMessage() == null ? last.getClass().getSimpleName() : last.getMessage()));
    }

    /** The exception, its causes, the failures of each message and Jakarta Mail's chained exceptions. */
    private static List<Throwable> causes(MailException e) {
        List<Throwable> all = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> todo = new ArrayDeque<>();
        todo.add(e);
        while (!todo.isEmpty() && all.size() < 32) {
            Throwable t = todo.poll();
            if (t == null || !seen.add(t)) {
                continue;
            }
            all.add(t);
            if (t.getCause() != null) {
                todo.add(t.getCause());
            }
            if (t instanceof MessagingException m && m.getNextException() != null) {
                todo.add(m.getNextException());
            }
            if (t instanceof MailSendException s) {
                for (Map.Entry<Object, Exception> failed : s.getFailedMessages().entrySet()) {
                    todo.add(failed.getValue());
                }
            }
        }
        return all;
    }
}
