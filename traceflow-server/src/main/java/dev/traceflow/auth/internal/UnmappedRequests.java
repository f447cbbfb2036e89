package dev.traceflow.auth.internal;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.context.ApplicationContext;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.web.servlet.HandlerMapping;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds requests that no handler of the application would serve, so the security chain lets them
 * through to the 404 the dispatcher answers: a mistyped path ({@code /api/colect}) is reported as
 * not found instead of as a missing credential, which sent people looking for a wrong key. Safe by
 * construction: a request any handler mapping claims (every controller, the actuator, the docs) is
 * not matched and keeps its rules; one that nothing would serve has nothing to protect.
 * <p>
 * Applied through {@link #orElse}, only to requests a rule would refuse: finding the handler is the
 * dispatcher's whole route matching, and running it for every request the rules let through anyway
 * (every authenticated API call) matched each route twice for the same answer.
 */
final class UnmappedRequests {

    private final ApplicationContext context;
    private volatile List<HandlerMapping> mappings;

    UnmappedRequests(ApplicationContext context) {
        this.context = context;
    }

    /**
     * {@code rule}'s decision where it grants; where it refuses, access granted after all if no handler
     * would serve the request (which then answers 404). The same decisions as "unmapped requests are
     * permitted" placed before {@code rule}, with the route matching left out whenever {@code rule} grants.
     */
    AuthorizationManager<RequestAuthorizationContext> orElse(AuthorizationManager<RequestAuthorizationContext> rule) {
        return (authentication, request) -> {
            AuthorizationResult decision = rule.authorize(authentication, request);
            if (decision != null && decision.isGranted()) {
                return decision;
            }
            return unmapped(request.getRequest()) ? new AuthorizationDecision(true) : decision;
        };
    }

    /** Whether no handler mapping would serve the request. */
    boolean unmapped(HttpServletRequest request) {
        for (HandlerMapping mapping : mappings()) {
            try {
                if (mapping.getHandler(request) != null) {
                    return false;
                }
            } catch (Exception e) {
                // the path is known but something else is wrong (e.g. the method): keep the rules
                return false;
            }
        }
        return true;
    }

    private List<HandlerMapping> mappings() {
        List<HandlerMapping> m = mappings;
        if (m == null) {
            m = new ArrayList<>(context.getBeansOfType(HandlerMapping.class).values());
            AnnotationAwareOrderComparator.sort(m);
            mappings = m;
        }
        return m;
    }
}
