package dev.traceflow.ops;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document's header (/openapi.json, UI at /docs) and its two security schemes:
 * {@code BearerAuth} (a user's access token) and {@code IngestKey} (an app's ingest key). Each
 * operation names the scheme it needs and, in its description, the role ("Role: ...").
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    @Bean
    OpenAPI traceFlowOpenApi() {
        return new OpenAPI().info(new Info().title("TraceFlow API").version("0.1.0")
                        .description("Telemetry ingest and the answers to it (errors, performance, sessions and behaviour, metrics, product analytics) for frontend teams, and realtime topics (WebSocket /ws and the Socket.IO v4 namespace /realtime on the same port; backends publish with POST /api/realtime/publish); builds are catalogued and validated (/git-sources, /templates, /projects, /configs), then queued and run by in-process workers (/builds) into artifacts and releases (/api/apps/{id}/releases); remote workers (the same jar with --traceflow.mode=worker) claim and report over /api/workers; artifacts are kept on the local file system or in S3-compatible storage. Events are stored in DuckDB in the process (event backends on PostgreSQL or ClickHouse are not built yet). Errors everywhere have the "
                                + "shape {code, message, details, traceId}. Ingest answers 202 only once accepted events are durable (journaled and fsynced; a crash loses none), and they reach reads 100 ms later when few arrive, later the more arrive (0.4 s at 1,000 events/s, 1.5 s at 5,000), up to 3 s (load-max-delay) from about 10,000 events/s, and longer while storage works off a backlog; "
                                + "events not stored are listed by index with a reason code. A request refused whole stores nothing: "
                                + "429 RATE_LIMITED over the app's ingestRateLimit, 503 OVERLOADED when storage is behind, both with "
                                + "Retry-After.\n\n"
                                + "Browsers: an app's allowedOrigins decide which pages may send its events (403 ORIGIN_NOT_ALLOWED "
                                + "otherwise); every ingest answer, errors included, is readable by the sending page, with Retry-After "
                                + "and X-Trace-Id exposed.\n\n"
                                + "Access: ingest endpoints take an app's ingest key (IngestKey). Everything else except health, "
                                + "docs, JWKS and /auth/* takes a user's access token (BearerAuth) from POST /auth/login. Roles: "
                                + "`admin` (global) may do everything; on each app a member is `owner` (settings, keys, members, "
                                + "audit), `editor` (writes: error status, alert rules, builds) or `viewer` (reads). Asking for an "
                                + "app you have no role on answers 404, exactly as for an app that does not exist."))
                .components(new Components()
                        .addSecuritySchemes("BearerAuth", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                                .bearerFormat("JWT").description("Access token (JWT RS256, 15 minutes) from POST /auth/login or "
                                        + "/auth/refresh; public keys at /.well-known/jwks.json"))
                        .addSecuritySchemes("IngestKey", new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                                .in(SecurityScheme.In.HEADER).name("X-TraceFlow-Key")
                                .description("An app's ingest key; also accepted as Authorization: Bearer <key> or ?key=<key>"))
                        .addSecuritySchemes("RealtimeServerKey", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                                .description("An app's secret realtime server key (trs_...), from POST /api/apps/{appId}/realtime/keys "
                                        + "with kind server; neither the public ingest key nor a browser key publishes")));
    }
}
