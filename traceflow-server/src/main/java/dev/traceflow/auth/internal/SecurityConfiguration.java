package dev.traceflow.auth.internal;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.http.DashboardPaths;
import dev.traceflow.http.IngestPaths;
import dev.traceflow.http.RealtimePaths;
import dev.traceflow.http.ApiError;
import dev.traceflow.http.ApiErrorWriter;
import dev.traceflow.http.TraceIds;
import org.slf4j.MDC;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.context.ApplicationContext;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.DefaultCorsProcessor;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;
import org.springframework.web.filter.CorsFilter;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static org.springframework.security.authorization.AuthenticatedAuthorizationManager.authenticated;
import static org.springframework.security.authorization.AuthorityAuthorizationManager.hasAnyRole;
import static org.springframework.security.authorization.AuthorityAuthorizationManager.hasRole;

/**
 * The route rules of every endpoint:
 * <ol>
 *   <li><b>ingest</b> (API.md "Ingest"): authenticated by ingest keys inside the ingest feature;
 *       outside the filter chain. An ingest key is worth nothing on any other route.</li>
 *   <li><b>realtime</b> ({@code /ws}, {@code /api/realtime/publish}): authenticated inside the realtime
 *       feature (through {@link dev.traceflow.auth.BearerVerifier} for users' tokens, by its own keys
 *       otherwise); outside the filter chain, because a browser's WebSocket can only carry its token in
 *       the query.</li>
 *   <li><b>everything else</b>, one filter chain: stateless bearer access tokens (JWT RS256), or
 *       long-lived API tokens ({@code tft_...}, {@link ApiTokens}) limited to their roles. Public: health, docs,
 *       JWKS, the {@code /auth/*} endpoints and the web dashboard's pages and files (GET; the page then calls
 *       the API with its user's token). Admin-only at the route: user management,
 *       signing keys, metrics (which a Prometheus server may also scrape with {@code TRACEFLOW_METRICS_TOKEN},
 *       see {@link MetricsScrapeFilter}). Every other route needs a logged-in user, and the feature's
 *       facade then checks the caller's role on the app ({@code AppAccess}); that second check
 *       is what turns another app's data into 404.</li>
 * </ol>
 * CSRF protection is off because no endpoint acts on ambient credentials except
 * {@code /auth/refresh} and {@code /auth/logout}, whose cookie is SameSite=Strict and scoped to
 * {@code /auth}.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    static final String[] INGEST_PATHS = IngestPaths.ALL.toArray(String[]::new);
    static final String[] REALTIME_PATHS = RealtimePaths.ALL.toArray(String[]::new);
    /** The web dashboard's pages and files: the page signs its user in itself, then calls the API with their token. */
    static final String[] DASHBOARD_PATHS = DashboardPaths.ALL.toArray(String[]::new);
    static final String[] PUBLIC_PATHS = {"/healthz", "/health", "/auth/login", "/auth/refresh", "/auth/logout",
            "/.well-known/jwks.json", "/openapi.json", "/openapi.json/**", "/docs", "/docs/**", "/swagger-ui/**",
            "/swagger-ui.html", "/v3/api-docs/**", "/error",
            // builds: a signed artifact link carries its own proof; remote workers present the worker token
            "/builds/*/artifact/signed", "/api/workers/**"};

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * Ingest routes bypass the security filter chain entirely (Spring Security's "ignoring"):
     * they are authenticated by ingest keys inside the ingest feature, and the chain (with its
     * per-filter observations) cost a large share of ingest throughput in the benchmark for
     * requests that need none of it (README "Benchmark" has the figures).
     */
    @Bean
    WebSecurityCustomizer ingestBypassesTheFilterChain() {
        return web -> web.ignoring().requestMatchers(INGEST_PATHS).requestMatchers(REALTIME_PATHS);
    }

    /** Spring's strict firewall with its header checks' shortcut for printable ASCII ({@link FastHeaderChecks}). */
    @Bean
    WebSecurityCustomizer strictFirewallWithoutRegexForPlainHeaders() {
        return web -> web.httpFirewall(FastHeaderChecks.firewall());
    }

    /** Security filters are not traced one by one: {@code http.server.requests} already times every request. */
    @Bean
    SecurityObservationSettings noPerFilterObservations() {
        return SecurityObservationSettings.noObservations();
    }

    @Bean
    SecurityFilterChain apiChain(HttpSecurity http, AccessTokens decoder, CallerAuthentication callers, ApiTokens apiTokens,
                                 TraceFlowProperties properties, ApplicationContext context) throws Exception {
        AuthenticationEntryPoint unauthorized = (request, response, e) -> {
            // RFC 6750: a token that was sent but refused says so, and an expired one says why, so a
            // client knows to refresh rather than to log in again
            if (e instanceof OAuth2AuthenticationException && expired(e)) {
                response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\", error_description=\"expired\"");
                ApiErrorWriter.write(request, response, HttpStatus.UNAUTHORIZED, "TOKEN_EXPIRED",
                        "The access token has expired: get a new one from POST /auth/refresh");
                return;
            }
            if (e instanceof ApiTokens.Refused) {
                response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
                ApiErrorWriter.write(request, response, HttpStatus.UNAUTHORIZED, "UNAUTHORIZED",
                        "The API token is unknown, revoked or expired, or its user is disabled");
                return;
            }
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, e instanceof OAuth2AuthenticationException
                    ? "Bearer error=\"invalid_token\"" : "Bearer");
            ApiErrorWriter.write(request, response, HttpStatus.UNAUTHORIZED, "UNAUTHORIZED",
                    "A valid access token is required (Authorization: Bearer <token> from POST /auth/login)");
        };
        AccessDeniedHandler forbidden = (request, response, e) -> ApiErrorWriter.write(request, response, HttpStatus.FORBIDDEN,
                "FORBIDDEN", "Your account may not do this");
        MetricsScrapeFilter scrape = new MetricsScrapeFilter(properties.auth().metricsToken());
        BearerTokenResolver bearerTokens = FastHeaderChecks.bearerTokens();
        // one bearer header, two kinds of credential: tft_ API tokens to ApiTokens, everything else
        // to the JWT decoder (a JWT never starts with tft_: its first part is base64url JSON, "eyJ")
        JwtAuthenticationProvider jwts = new JwtAuthenticationProvider(decoder);
        jwts.setJwtAuthenticationConverter(callers);
        UnmappedRequests unmapped = new UnmappedRequests(context);
        AuthenticationManager bearerAuthentication = authentication ->
                authentication instanceof BearerTokenAuthenticationToken bearer && ApiTokens.looksLikeApiToken(bearer.getToken())
                        ? apiTokens.authenticate(authentication) : jwts.authenticate(authentication);
        return http
                .authorizeHttpRequests(a -> a
                        .requestMatchers(PUBLIC_PATHS).permitAll()
                        .requestMatchers(HttpMethod.GET, DASHBOARD_PATHS).permitAll()
                        .requestMatchers(HttpMethod.HEAD, DASHBOARD_PATHS).permitAll()
                        // a path no handler serves answers 404 whatever the credentials (each rule below, where it refuses)
                        .requestMatchers("/api/users/me", "/api/users/me/**").access(unmapped.orElse(authenticated()))
                        .requestMatchers(MetricsScrapeFilter.PATH).access(unmapped.orElse(hasAnyRole("ADMIN", MetricsScrapeFilter.ROLE)))
                        .requestMatchers("/api/users", "/api/users/**", "/api/auth/**", "/actuator/**")
                        .access(unmapped.orElse(hasRole("ADMIN")))
                        .anyRequest().access(unmapped.orElse(authenticated())))
                .oauth2ResourceServer(o -> o
                        // the scrape credential is no JWT: left to MetricsScrapeFilter
                        .bearerTokenResolver(request -> {
                            String presented = bearerTokens.resolve(request);
                            return scrape.isScrapeToken(presented) ? null : presented;
                        })
                        .authenticationManagerResolver(request -> bearerAuthentication)
                        .authenticationEntryPoint(unauthorized)
                        .accessDeniedHandler(forbidden))
                .exceptionHandling(e -> e.authenticationEntryPoint(unauthorized).accessDeniedHandler(forbidden))
                .csrf(AbstractHttpConfigurer::disable)
                .cors(AbstractHttpConfigurer::disable)
                .addFilterBefore(corsFilter(properties.auth().corsAllowedOrigins()), BearerTokenAuthenticationFilter.class)
                .addFilterBefore(scrape, BearerTokenAuthenticationFilter.class)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .build();
    }

    /** Whether the token was refused only because it expired ({@link AccessTokens} says "expired"). */
    private static boolean expired(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BadJwtException && "expired".equals(t.getMessage())) {
                return true;
            }
        }
        return false;
    }

    /**
     * CORS for the read and admin API: only the configured origins, with credentials (the refresh
     * cookie) unless the list is {@code *}, in which case any origin may call but never with
     * credentials. A cross-origin request from another origin gets 403 in API.md's error shape.
     */
    static CorsFilter corsFilter(List<String> allowedOrigins) {
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        CorsConfiguration config = corsConfiguration(allowedOrigins);
        if (config != null) {
            source.registerCorsConfiguration("/**", config);
        }
        CorsFilter filter = new CorsFilter(source);
        filter.setCorsProcessor(new DefaultCorsProcessor() {
            @Override
            protected void rejectRequest(ServerHttpResponse response) throws IOException {
                response.setStatusCode(HttpStatus.FORBIDDEN);
                response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
                String traceId = MDC.get(TraceIds.MDC_KEY);
                JSON.writeValue(response.getBody(), new ApiError("ORIGIN_NOT_ALLOWED",
                        "This origin may not call the API (see TRACEFLOW_AUTH_CORS_ALLOWED_ORIGINS)", List.of(), traceId));
                response.flush();
            }
        });
        return filter;
    }

    /** @return null when no origin is configured: browsers then refuse every cross-origin call */
    static CorsConfiguration corsConfiguration(List<String> allowedOrigins) {
        List<String> origins = allowedOrigins == null ? List.of()
                : allowedOrigins.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        if (origins.isEmpty()) {
            return null;
        }
        CorsConfiguration config = new CorsConfiguration();
        boolean any = origins.contains("*");
        config.setAllowedOrigins(any ? List.of("*") : origins);
        config.setAllowCredentials(!any);
        config.setAllowedMethods(List.of(HttpMethod.GET.name(), HttpMethod.POST.name(), HttpMethod.PUT.name(),
                HttpMethod.PATCH.name(), HttpMethod.DELETE.name()));
        config.setAllowedHeaders(List.of(HttpHeaders.AUTHORIZATION, HttpHeaders.CONTENT_TYPE, "traceparent"));
        config.setExposedHeaders(List.of(TraceIds.HEADER, HttpHeaders.RETRY_AFTER));
        config.setMaxAge(Duration.ofMinutes(10));
        return config;
    }
}
