package dev.traceflow.auth.internal;

import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;
import org.springframework.context.support.StaticApplicationContext;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.HandlerMapping;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** A rule that refuses lets an unmapped path through to its 404; the routes are matched only when a rule refuses. */
class UnmappedRequestsTest {

    /** Serves {@code /known} only, and counts how often it was asked. */
    static final class CountingMapping implements HandlerMapping {
        final AtomicInteger asked = new AtomicInteger();

        @Override
        public HandlerExecutionChain getHandler(HttpServletRequest request) {
            asked.incrementAndGet();
            return "/known".equals(request.getRequestURI()) ? new HandlerExecutionChain(new Object()) : null;
        }
    }

    private final CountingMapping mapping = new CountingMapping();
    private final UnmappedRequests unmapped;
    private final Supplier<Authentication> anyone = () -> new TestingAuthenticationToken("u", "");

    UnmappedRequestsTest() {
        StaticApplicationContext context = new StaticApplicationContext();
        context.getBeanFactory().registerSingleton("routes", mapping);
        context.refresh();
        unmapped = new UnmappedRequests(context);
    }

    private static RequestAuthorizationContext request(String path) {
        return new RequestAuthorizationContext(new MockHttpServletRequest("GET", path));
    }

    private static AuthorizationManager<RequestAuthorizationContext> rule(boolean grants) {
        return (authentication, request) -> new AuthorizationDecision(grants);
    }

    @Test
    void whereTheRuleGrants_itsDecisionStands_andNoRouteIsMatched() {
        assertThat(unmapped.orElse(rule(true)).authorize(anyone, request("/known")).isGranted()).isTrue();
        assertThat(unmapped.orElse(rule(true)).authorize(anyone, request("/typo")).isGranted()).isTrue();
        assertThat(mapping.asked).hasValue(0);
    }

    @Test
    void whereTheRuleRefuses_aServedPathStaysRefused_andAnUnservedOneGoesOnToItsNotFound() {
        assertThat(unmapped.orElse(rule(false)).authorize(anyone, request("/known")).isGranted()).isFalse();
        assertThat(unmapped.orElse(rule(false)).authorize(anyone, request("/typo")).isGranted()).isTrue();
        assertThat(mapping.asked).hasValue(2);
    }
}
