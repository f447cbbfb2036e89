package dev.traceflow.ingest;

import dev.traceflow.support.ServerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The direct route to Sentry's handlers finds, for their POST routes, what the application's
 * mapping finds (handler and path variables), and leaves every other request to it.
 */
class SentryRouteMappingTest extends ServerTest {

    @Autowired
    SentryRouteMapping sentryRoutes;

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping application;

    private static MockHttpServletRequest request(String method, String path) {
        MockHttpServletRequest request = new MockHttpServletRequest(method, path);
        ServletRequestPathUtils.parseAndCache(request);
        return request;
    }

    @Test
    void sentrysPostRoutes_findTheHandlerAndProjectTheApplicationsMappingFinds() throws Exception {
        for (String[] route : new String[][] {{"/api/42/envelope/", "envelope"}, {"/api/42/envelope", "envelope"},
                {"/api/42/store/", "store"}, {"/api/42/store", "store"}}) {
            MockHttpServletRequest direct = request("POST", route[0]);
            MockHttpServletRequest scanned = request("POST", route[0]);

            HandlerExecutionChain chain = sentryRoutes.getHandler(direct);
            HandlerExecutionChain expected = application.getHandler(scanned);

            assertThat(chain).as(route[0]).isNotNull();
            HandlerMethod handler = (HandlerMethod) chain.getHandler();
            assertThat(handler.getBeanType()).isEqualTo(SentryController.class);
            assertThat(handler.getMethod().getName()).isEqualTo(route[1]);
            assertThat(handler.getMethod()).isEqualTo(((HandlerMethod) expected.getHandler()).getMethod());
            assertThat(direct.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE)).isEqualTo(Map.of("projectId", "42"))
                    .isEqualTo(scanned.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE));
            assertThat(direct.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE))
                    .isEqualTo(scanned.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE));
        }
    }

    @Test
    void otherMethodsAndPaths_areLeftToTheApplicationsMapping() throws Exception {
        assertThat(sentryRoutes.getHandler(request("GET", "/api/42/envelope/"))).isNull();
        assertThat(sentryRoutes.getHandler(request("OPTIONS", "/api/42/envelope/"))).isNull();
        assertThat(sentryRoutes.getHandler(request("POST", "/api/collect/batch"))).isNull();
        assertThat(sentryRoutes.getHandler(request("POST", "/api/demo/envelope/"))).isNull();
        assertThat(sentryRoutes.getHandler(request("POST", "/api/42/envelope/extra"))).isNull();
    }

    @Test
    void itIsAskedBeforeTheApplicationsMapping() {
        assertThat(sentryRoutes.getOrder()).isLessThan(application.getOrder());
    }
}
