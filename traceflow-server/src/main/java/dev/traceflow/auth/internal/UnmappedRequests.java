package dev.traceflow.auth.internal;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.context.ApplicationContext;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.servlet.HandlerMapping;

import java.util.ArrayList;
import java.util.List;

/**
 * Matches requests that no handler of the application would serve, so the security chain lets them
 * through to the 404 the dispatcher answers: a mistyped path ({@code /api/colect}) is reported as
 * not found instead of as a missing credential, which sent people looking for a wrong key. Safe by
 * construction: a request any handler mapping claims (every controller, the actuator, the docs) is
 * not matched and keeps its rules; one that nothing would serve has nothing to protect.
 */
final class UnmappedRequests implements RequestMatcher {

    private final ApplicationContext context;
    private volatile List<HandlerMapping> mappings;

    UnmappedRequests(ApplicationContext context) {
        this.context = context;
    }

    @Override
    public boolean matches(HttpServletRequest request) {
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
