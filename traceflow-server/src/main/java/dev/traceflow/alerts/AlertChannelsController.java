package dev.traceflow.alerts;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.access.AppAccess;
import dev.traceflow.access.AppPermission;
import dev.traceflow.access.AppRole;
import dev.traceflow.apps.AppDirectory;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.auth.SecretSealer;
import dev.traceflow.http.ApiException;
import dev.traceflow.outbound.OutboundGuard;
import dev.traceflow.outbound.OutboundRefused;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/** {@code /api/alerts/channels} (API.md "Alerts"): where an app's alerts are delivered; editors write, viewers read. */
@RestController
@Tag(name = "Alerts")
class AlertChannelsController {

    static final int MAX_RECIPIENTS = 20;
    static final int MIN_SECRET_LENGTH = 16;
    static final int MAX_SECRET_LENGTH = 256;
    static final int MAX_URL_LENGTH = 2048;
    /** Plain addresses only: no display names, commas, spaces or line breaks (they would reach SMTP headers). */
    static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9.-]{1,253}\\.[A-Za-z]{2,63}");
    /** A topic of the app, as the realtime gateway names them (no wildcards: one topic). */
    static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9_\\-.:@]{1,128}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcAlertChannels channels;
    private final AppAccess access;
    private final AppDirectory apps;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final SecretSealer sealer;
    private final OutboundGuard outbound;
    private final AlertSender sender;
    private final TraceFlowProperties.Alerts properties;

    AlertChannelsController(JdbcAlertChannels channels, AppAccess access, AppDirectory apps, AuditLog audit, TransactionTemplate tx,
                            Clock clock, SecretSealer sealer, OutboundGuard outbound, AlertSender sender, TraceFlowProperties properties) {
        this.channels = channels;
        this.access = access;
        this.apps = apps;
        this.audit = audit;
        this.tx = tx;
        this.clock = clock;
        this.sealer = sealer;
        this.outbound = outbound;
        this.sender = sender;
        this.properties = properties.alerts();
    }

    record ChannelBody(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) String appId,
                       @Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"webhook", "email", "realtime"})
                       String type,
                       @Schema(description = "1-100 characters; default: the type and its target") String name,
                       @Schema(description = "webhook: http(s) URL of a public address", example = "https://hooks.example.com/traceflow")
                       String url,
                       @Schema(description = "webhook: the HMAC secret, 16-256 characters; generated (and answered once) when absent")
                       String secret,
                       @Schema(description = "email: 1-20 addresses") List<String> to,
                       @Schema(description = "realtime: a topic of the app") String topic) {
    }

    @PostMapping("/api/alerts/channels")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create an alert channel",
            description = """
                    Role: editor or above on `appId`. Audited (`alert_channel.create`, without the secret).

                    `webhook`: `url` must be http(s) to a public address (loopback, private, link-local and other \
                    internal ranges are refused with 422 unless `TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS` lists them; the \
                    address is checked again before every delivery, and redirects are not followed). Each delivery is a \
                    JSON POST signed with `X-TraceFlow-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">` \
                    keyed by the channel's `secret`, which is sealed at rest and never answered again: when you give \
                    none, one is generated and answered in this response only. `email`: `to` (1-20 plain addresses); \
                    422 when the server has no SMTP settings (`TRACEFLOW_SMTP_HOST`). `realtime`: `topic`, one of the \
                    app's topics: each notification is published there as an event (payload = the webhook's JSON body, \
                    id = the delivery's id), through the gateway's ordering, history and acknowledgements.""",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> create(@RequestBody(required = false) ChannelBody body) {
        if (body == null) {
            throw ApiException.invalid("a channel body is required");
        }
        if (body.appId() == null || body.appId().isBlank()) {
            throw ApiException.invalid("appId is required");
        }
        String appId = body.appId();
        access.require(appId, AppPermission.WRITE);
        if (apps.find(appId).isEmpty()) {
            throw ApiException.noSuchApp(appId);
        }
        ChannelType type = ChannelType.fromWireName(body.type());
        if (type == null) {
            throw ApiException.invalid("type must be one of webhook, email, realtime");
        }
        String id = UUID.randomUUID().toString();
        Instant now = clock.instant();
        String url = null;
        String secret = null;
        String sealed = null;
        List<String> to = List.of();
        switch (type) {
            case WEBHOOK -> {
                refuse(type, "to", body.to() != null);
                refuse(type, "topic", body.topic() != null);
                url = webhookUrl(body.url());
                secret = body.secret() == null ? generatedSecret() : body.secret();
                if (secret.length() < MIN_SECRET_LENGTH || secret.length() > MAX_SECRET_LENGTH) {
                    throw ApiException.invalid("secret must be " + MIN_SECRET_LENGTH + " to " + MAX_SECRET_LENGTH + " characters");
                }
                sealed = sealer.seal(secret, id);
            }
            case EMAIL -> {
                refuse(type, "url", body.url() != null);
                refuse(type, "secret", body.secret() != null);
                refuse(type, "topic", body.topic() != null);
                if (!sender.emailConfigured()) {
                    throw ApiException.invalid("e-mail channels need the server's SMTP settings (TRACEFLOW_SMTP_HOST and the others "
                            + "in the README)");
                }
                to = recipients(body.to());
            }
            case REALTIME -> {
                refuse(type, "url", body.url() != null);
                refuse(type, "secret", body.secret() != null);
                refuse(type, "to", body.to() != null);
                if (body.topic() == null || !TOPIC.matcher(body.topic()).matches()) {
                    throw ApiException.invalid("topic is required for a realtime channel: 1 to 128 of A-Z a-z 0-9 _ - . : @");
                }
            }
        }
        String name = body.name() != null ? body.name() : type.wireName() + " " + (url != null ? URI.create(url).getHost()
                : type == ChannelType.REALTIME ? body.topic() : String.join(", ", to));
        if (name.isBlank() || name.length() > 100) {
            throw ApiException.invalid("name must be 1 to 100 characters");
        }
        AlertChannel channel = new AlertChannel(id, appId, type, name.length() > 100 ? name.substring(0, 100) : name, url, sealed, to,
                type == ChannelType.REALTIME ? body.topic() : null, now, now);
        tx.executeWithoutResult(t -> {
            if (channels.countOfApp(appId) >= properties.maxChannelsPerApp()) {
                throw new ApiException(HttpStatus.CONFLICT, "TOO_MANY_CHANNELS", "an app has at most " + properties.maxChannelsPerApp()
                        + " alert channels");
            }
            channels.insert(channel);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("type", type.wireName());
            details.put("name", channel.name());
            if (channel.url() != null) {
                details.put("host", URI.create(channel.url()).getHost());
            }
            details.put("recipients", channel.to().size());
            audit.record("alert_channel.create", "alert_channel", id, appId, details);
        });
        Map<String, Object> v = view(channel, true);
        if (body.secret() == null && secret != null) {
            v.put("secret", secret); // generated: shown this once
        }
        return v;
    }

    @GetMapping("/api/alerts/channels")
    @Operation(summary = "An app's alert channels",
            description = "Role: viewer or above on `appId`. Secrets are never answered (`hasSecret`). A webhook's `url` is "
                    + "answered whole to editors and owners; viewers see only its origin, since such URLs often carry a token.",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> list(@RequestParam String appId) {
        AppRole role = access.require(appId, AppPermission.READ);
        boolean writer = role != AppRole.VIEWER;
        return Map.of("items", channels.ofApp(appId).stream().map(c -> view(c, writer)).toList());
    }

    @GetMapping("/api/alerts/channels/{id}")
    @Operation(summary = "One alert channel", description = "Role: viewer or above on the channel's app (404 otherwise).",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> get(@PathVariable String id) {
        AlertChannel c = readable(id);
        return view(c, access.require(c.appId(), AppPermission.READ) != AppRole.VIEWER);
    }

    @DeleteMapping("/api/alerts/channels/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete an alert channel",
            description = "Role: editor or above on the channel's app. Rules that name it keep their other channels; their "
                    + "notifications to this one are recorded as skipped. Audited (`alert_channel.delete`).",
            security = @SecurityRequirement(name = "BearerAuth"))
    void delete(@PathVariable String id) {
        AlertChannel c = readable(id);
        access.require(c.appId(), AppPermission.WRITE);
        tx.executeWithoutResult(t -> {
            if (!channels.delete(id)) {
                throw notFound(id);
            }
            audit.record("alert_channel.delete", "alert_channel", id, c.appId(), Map.of("type", c.type().wireName(), "name", c.name()));
        });
    }

    private AlertChannel readable(String id) {
        AlertChannel c = channels.find(id).orElseThrow(() -> notFound(id));
        try {
            access.require(c.appId(), AppPermission.READ);
        } catch (ApiException e) {
            throw notFound(id);
        }
        return c;
    }

    private static ApiException notFound(String id) {
        return ApiException.notFound("No alert channel '" + ApiException.excerpt(id) + "'");
    }

    private String webhookUrl(String url) {
        if (url == null || url.isBlank()) {
            throw ApiException.invalid("url is required for a webhook channel");
        }
        if (url.length() > MAX_URL_LENGTH) {
            throw ApiException.invalid("url must be at most " + MAX_URL_LENGTH + " characters");
        }
        try {
            return outbound.requireAllowed(url).toString();
        } catch (OutboundRefused e) {
            throw ApiException.invalid("url is refused: " + e.getMessage());
        }
    }

    private static List<String> recipients(List<String> given) {
        if (given == null || given.isEmpty() || given.size() > MAX_RECIPIENTS) {
            throw ApiException.invalid("to must list 1 to " + MAX_RECIPIENTS + " e-mail addresses");
        }
        Set<String> out = new LinkedHashSet<>();
        for (String address : given) {
            if (address == null || address.length() > 254 || !EMAIL.matcher(address).matches()) {
                throw ApiException.invalid("'" + ApiException.excerpt(address) + "' is not a plain e-mail address");
            }
            out.add(address);
        }
        return List.copyOf(out);
    }

    private static void refuse(ChannelType type, String field, boolean given) {
        if (given) {
            throw ApiException.invalid(field + " is not used by a " + type.wireName() + " channel");
        }
    }

    private static String generatedSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "tfwh_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static Map<String, Object> view(AlertChannel c, boolean wholeUrl) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", c.id());
        v.put("appId", c.appId());
        v.put("type", c.type().wireName());
        v.put("name", c.name());
        if (c.url() != null) {
            URI u = URI.create(c.url());
            v.put("url", wholeUrl ? c.url() : u.getScheme() + "://" + u.getRawAuthority() + "/...");
            v.put("hasSecret", c.secretSealed() != null);
        }
        if (!c.to().isEmpty()) {
            v.put("to", c.to());
        }
        if (c.topic() != null) {
            v.put("topic", c.topic());
        }
        v.put("createdAt", c.createdAt());
        return v;
    }
}
