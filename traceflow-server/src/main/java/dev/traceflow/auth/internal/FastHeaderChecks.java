package dev.traceflow.auth.internal;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;
import org.springframework.security.web.firewall.StrictHttpFirewall;

import java.util.function.Predicate;

/**
 * Spring Security's own header checks with a shortcut for the common case, deciding exactly as before. Both
 * are regular expressions run over every request's {@code Authorization} header (a JWT is ~700 characters):
 * the firewall checks a header's value each time it is read (the value may hold no unassigned or control
 * character but tab), and the bearer resolver matches {@code ^Bearer [token chars]+=*$}. In the PostgreSQL
 * trigger benchmark's profile (2026-12-05) the two took 8.7 % of the server's samples. The shortcut answers
 * only what it can tell by a plain scan (printable ASCII: every such character is assigned and no control;
 * {@code Bearer } and token characters); anything else goes to Spring's check unchanged, so no request is
 * let through or refused that was not before.
 */
final class FastHeaderChecks {

    private FastHeaderChecks() {
    }

    /** The default strict firewall, its header and parameter-name checks taking the shortcut first. */
    static StrictHttpFirewall firewall() {
        StrictHttpFirewall firewall = new StrictHttpFirewall();
        firewall.setAllowedHeaderNames(printableAsciiOr(StrictHttpFirewall.ALLOWED_HEADER_NAMES, false));
        firewall.setAllowedHeaderValues(printableAsciiOr(StrictHttpFirewall.ALLOWED_HEADER_VALUES, true));
        firewall.setAllowedParameterNames(printableAsciiOr(StrictHttpFirewall.ALLOWED_PARAMETER_NAMES, false));
        return firewall;
    }

    /** True at once for printable ASCII (and tab, where {@code tab} says it is allowed); else what {@code check} says. */
    static Predicate<String> printableAsciiOr(Predicate<String> check, boolean tab) {
        return s -> printableAscii(s, tab) || check.test(s);
    }

    private static boolean printableAscii(String s, boolean tab) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 || c > 0x7e) && !(tab && c == '\t')) {
                return false;
            }
        }
        return true;
    }

    /** {@link DefaultBearerTokenResolver} (its defaults: the header only), a well-formed {@code Bearer <token>} read without it. */
    static BearerTokenResolver bearerTokens() {
        DefaultBearerTokenResolver spring = new DefaultBearerTokenResolver();
        return request -> {
            String token = wellFormedBearer(request);
            return token != null ? token : spring.resolve(request);
        };
    }

    private static final String PREFIX = "Bearer ";

    /** The token of {@code Authorization: Bearer <token chars>+=*}, exactly as sent; null for anything else (Spring's to judge). */
    static String wellFormedBearer(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.startsWith(PREFIX)) {
            return null;
        }
        int end = header.length();
        while (end > PREFIX.length() && header.charAt(end - 1) == '=') {
            end--;
        }
        if (end == PREFIX.length()) {
            return null;
        }
        for (int i = PREFIX.length(); i < end; i++) {
            if (!tokenChar(header.charAt(i))) {
                return null;
            }
        }
        return header.substring(PREFIX.length());
    }

    /** RFC 6750's b64token characters but '=': {@code A-Z a-z 0-9 - . _ ~ + /}. */
    private static boolean tokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    }
}
