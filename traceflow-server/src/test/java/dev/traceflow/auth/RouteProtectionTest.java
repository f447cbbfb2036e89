package dev.traceflow.auth;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every route the server has, found from Spring MVC's own mapping table (so a new endpoint is
 * covered the day it is added): without a user's access token it answers 401, also when called
 * with an ingest key, unless it is one of the deliberately public or ingest routes listed here.
 */
class RouteProtectionTest extends ServerTest {

    /**
     * Public on purpose: health, docs, JWKS, login/refresh/logout, errors, the dashboard's pages, the
     * reference realtime client's script and the AsyncAPI document.
     */
    static final Set<String> PUBLIC = Set.of("/healthz", "/health", "/auth/login", "/auth/refresh", "/auth/logout",
            "/realtime/client.js", "/asyncapi.yaml",
            "/.well-known/jwks.json", "/error", "/openapi.json", "/openapi.json.yaml", "/docs", "/swagger-ui.html",
            "/v3/api-docs", "/v3/api-docs.yaml", "/v3/api-docs/swagger-config", "/openapi.json/swagger-config",
            "/openapi.json/{group}", "/v3/api-docs/{group}",
            // the web dashboard's pages: the page signs in itself, then calls the API with its user's token
            "/", "/apps", "/apps/**",
            // a build's artifact through a short-lived signed link: the signature is the credential (BuildsApiTest)
            "/builds/{id}/artifact/signed");
    /** Authenticated by ingest keys inside the ingest feature (their own tests cover missing and bad keys). */
    static final Set<String> INGEST = Set.of("/api/collect", "/api/collect/batch", "/api/telemetry/batch", "/api/perf/batch",
            "/api/event", "/api/event/schema.proto", "/bench/noop", "/api/{projectId:\\d+}/envelope/",
            "/api/{projectId:\\d+}/envelope", "/api/{projectId:\\d+}/store/", "/api/{projectId:\\d+}/store");

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    record Route(String method, String path) {
    }

    private List<Route> protectedRoutes() {
        List<Route> routes = new ArrayList<>();
        mappings.getHandlerMethods().forEach((info, handler) -> {
            for (String pattern : info.getPatternValues()) {
                if (PUBLIC.contains(pattern) || INGEST.contains(pattern) || pattern.startsWith("/swagger-ui")) {
                    continue;
                }
                Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
                for (RequestMethod m : methods.isEmpty() ? Set.of(RequestMethod.GET) : methods) {
                    routes.add(new Route(m.name(), Pattern.compile("\\{[^}]+}").matcher(pattern).replaceAll("x")));
                }
            }
        });
        routes.add(new Route("GET", "/actuator/prometheus"));
        return routes;
    }

    @Test
    void everyNonPublicRoute_needsAnAccessToken() {
        List<Route> routes = protectedRoutes();
        assertThat(routes).extracting(Route::path).contains("/api/users", "/api/apps", "/audits", "/api/ingest/stats",
                "/api/apps/x/keys", "/api/auth/signing-keys/rotate");
        for (Route route : routes) {
            byte[] body = "GET".equals(route.method()) ? null : "{}".getBytes();
            TestHttp.Response anonymous = http.send(route.method(), route.path(), body, "Content-Type", "application/json");
            assertThat(anonymous.status()).as(route + " without a token: " + anonymous).isEqualTo(401);
            assertThat(anonymous.json().path("code").asString()).isEqualTo("UNAUTHORIZED");
            TestHttp.Response withIngestKey = http.send(route.method(), route.path(), body, "Content-Type", "application/json",
                    "X-TraceFlow-Key", DEMO_KEY, "Authorization", "Bearer " + DEMO_KEY);
            assertThat(withIngestKey.status()).as(route + " with an ingest key: " + withIngestKey).isEqualTo(401);
        }
    }

    /**
     * Issue 18 item 10 reverses an earlier choice (401 for every unknown route, so that anonymous
     * callers could not map the API): the public /openapi.json lists every route anyway, and a 401
     * for a typo sent people looking for a wrong key. Routes that exist still answer 401.
     */
    @Test
    void unknownRoutes_answer404_evenToAnonymousCallers() {
        assertThat(http.get("/api/secret-admin-thing").status()).isEqualTo(404);
    }

    @Test
    void publicRoutes_answerWithoutAToken() {
        assertThat(http.get("/healthz").status()).isEqualTo(200);
        assertThat(http.get("/.well-known/jwks.json").status()).isEqualTo(200);
        assertThat(http.get("/openapi.json").status()).isEqualTo(200);
    }
}
