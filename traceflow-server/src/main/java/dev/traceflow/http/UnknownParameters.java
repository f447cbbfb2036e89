package dev.traceflow.http;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Refuses query parameters an endpoint does not take, with 400 {@code INVALID_PARAMETER} naming
 * the first one: a typo such as {@code /audits?appid=} would otherwise answer every row as if no
 * filter had been asked. The known names are the handler's {@code @RequestParam}s. Handlers that
 * read parameters themselves (a {@code @RequestParam Map}, or the raw request, as the ingest and
 * answer endpoints do) check their own.
 */
@Configuration(proxyBeanMethods = false)
class UnknownParameters implements WebMvcConfigurer, HandlerInterceptor {

    /** Per handler method: the parameter names it takes, or null when it reads parameters itself. */
    private final Map<HandlerMethod, Set<String>> known = new ConcurrentHashMap<>();

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this);
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!(handler instanceof HandlerMethod method)) {
            return true;
        }
        Set<String> names = known.computeIfAbsent(method, UnknownParameters::declared);
        // handlers that read the request themselves (ingest) are left before their parameters are
        // touched: reading them can make the container parse a body
        if (names.contains("*") || request.getParameterMap().isEmpty()) {
            return true;
        }
        for (String name : new TreeSet<>(request.getParameterMap().keySet())) {
            if (!names.contains(name)) {
                String takes = names.isEmpty() ? "this endpoint takes no query parameters"
                        : "this endpoint takes " + String.join(", ", new TreeSet<>(names));
                throw new ApiException(HttpStatus.BAD_REQUEST, "INVALID_PARAMETER",
                        "unknown parameter '" + ApiException.excerpt(name) + "'; " + takes,
                        List.of(Map.of("parameter", ApiException.excerpt(name))), null);
            }
        }
        return true;
    }

    /** The names a handler takes; {@code "*"} when it reads them itself. */
    private static Set<String> declared(HandlerMethod method) {
        Set<String> names = new TreeSet<>();
        for (MethodParameter p : method.getMethodParameters()) {
            Class<?> type = p.getParameterType();
            if (HttpServletRequest.class.isAssignableFrom(type)) {
                return Set.of("*");
            }
            RequestParam rp = p.getParameterAnnotation(RequestParam.class);
            if (rp == null) {
                continue;
            }
            if (Map.class.isAssignableFrom(type)) {
                return Set.of("*");
            }
            String name = !rp.name().isEmpty() ? rp.name() : !rp.value().isEmpty() ? rp.value() : p.getParameterName();
            if (name != null) {
                names.add(name);
            }
        }
        return Set.copyOf(names);
    }
}
