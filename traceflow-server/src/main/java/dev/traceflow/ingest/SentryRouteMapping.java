package dev.traceflow.ingest;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.servlet.handler.AbstractHandlerMapping;

import java.util.regex.Pattern;

/**
 * Finds {@link SentryController}'s handlers for its POST routes without trying every route of the
 * application. Spring MVC finds a literal path such as {@code /api/collect/batch} by a map look-up,
 * but a path with a variable, as Sentry's {@code /api/{projectId}/envelope/} must be, by matching it
 * against every mapping of the application in turn (about a hundred): in the envelope benchmark
 * (traceflow-benchmark README, "Sentry envelopes beside batches") that scan was the largest single
 * cost of a one-event envelope outside the controller. SDKs send one envelope per event, so it is
 * paid per event.
 *
 * <p>Ordered before the application's {@link RequestMappingHandlerMapping} (order 0). It matches and
 * binds with a mapping of the same configuration that holds SentryController's routes alone, so the
 * handler, path variables and producible types are exactly what the application's mapping would have
 * found; any other request (another method, another path) is left to the application's mapping.
 * The Sentry handlers read the raw request, so the application's interceptors (unknown query
 * parameters) have nothing to do for them and are not applied here.
 */
@Component
class SentryRouteMapping extends AbstractHandlerMapping implements InitializingBean {

    /** A cheap pre-check of SentryController's POST routes (IngestPaths.SENTRY_ROUTES); Spring's matching decides. */
    private static final Pattern SENTRY_PATH = Pattern.compile("/api/\\d+/(?:envelope|store)/?");

    /** Before the application's mapping (0); after actuator's endpoints (-100), whose paths never clash. */
    static final int ORDER = -1;

    private final RequestMappingHandlerMapping application;
    private final SentryHandlers sentry = new SentryHandlers();

    SentryRouteMapping(@Qualifier("requestMappingHandlerMapping") RequestMappingHandlerMapping application) {
        this.application = application;
        setOrder(ORDER);
    }

    @Override
    protected void initApplicationContext() {
        super.initApplicationContext();
        sentry.setApplicationContext(obtainApplicationContext());
    }

    @Override
    public void afterPropertiesSet() {
        setPatternParser(application.getPatternParser());
        setApiVersionStrategy(application.getApiVersionStrategy());
        sentry.setPatternParser(application.getPatternParser());
        sentry.setApiVersionStrategy(application.getApiVersionStrategy());
        sentry.setContentNegotiationManager(application.getContentNegotiationManager());
        sentry.afterPropertiesSet();
    }

    @Override
    protected Object getHandlerInternal(HttpServletRequest request) throws Exception {
        if (!"POST".equals(request.getMethod()) || !SENTRY_PATH.matcher(initLookupPath(request)).matches()) {
            return null;
        }
        return sentry.handlerFor(request);
    }

    /** The application's kind of mapping, holding SentryController's routes only. */
    private static final class SentryHandlers extends RequestMappingHandlerMapping {

        @Override
        protected boolean isHandler(Class<?> beanType) {
            return SentryController.class.isAssignableFrom(beanType);
        }

        Object handlerFor(HttpServletRequest request) throws Exception {
            return getHandlerInternal(request);
        }
    }
}
