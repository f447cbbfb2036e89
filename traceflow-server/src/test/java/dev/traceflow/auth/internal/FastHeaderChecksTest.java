package dev.traceflow.auth.internal;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.StrictHttpFirewall;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shortcuts decide every header exactly as Spring Security's own checks do: compared with them on the
 * edge cases and on many random headers mixing token characters, '=', spaces, tabs, controls, non-ASCII and
 * unassigned code points.
 */
class FastHeaderChecksTest {

    private static final String JWT = "eyJraWQiOiJrMSIsInR5cCI6IkpXVCIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJlLXBhcnQtXzEyMw";
    private static final String ALPHABET = "aZ09-._~+/= \t\u0000\u007f\u0085\u00e9\u2028\u0378\uFFFFBearerbearer";

    @Test
    void theBearerToken_isWhatSpringsResolverReads_orRefusesTheSame() {
        List<String> headers = new ArrayList<>(List.of("Bearer " + JWT, "Bearer " + JWT + "==", "bearer " + JWT, "BEARER " + JWT,
                "Bearer  " + JWT, "Bearer", "Bearer ", "Bearer ==", "Bearer a=b", "Bearer " + JWT + " ", "Bearer\t" + JWT,
                "Bearer " + JWT + "\n", "Basic dXNlcjpwYXNz", "tft_abc", "Bearer tft_AbCdEfGh0123", "Bearerx " + JWT,
                "Bearer é", "Bearer a\u00e9", ""));
        headers.addAll(randomHeaders("Bearer ", 5_000));
        headers.addAll(randomHeaders("bEaReR ", 500));
        BearerTokenResolver fast = FastHeaderChecks.bearerTokens();
        DefaultBearerTokenResolver spring = new DefaultBearerTokenResolver();
        for (String header : headers) {
            assertThat(outcome(fast, header)).as("Authorization: %s", header).isEqualTo(outcome(spring, header));
        }
        assertThat(outcome(fast, null)).isEqualTo(outcome(spring, null)).isEqualTo("token null");
        assertThat(outcome(fast, "Bearer " + JWT)).isEqualTo("token " + JWT);
    }

    @Test
    void theFirewallsHeaderAndParameterChecks_decideAsSpringsDefaults() {
        StrictHttpFirewall fast = FastHeaderChecks.firewall();
        List<String> values = new ArrayList<>(List.of("", "plain", "Bearer " + JWT, "a\tb", "\t", "a\u0000", "\u007f", "caf\u00e9",
                "\u0085", "\u2028", "\u0378", "\uD83D\uDE00", "\uD83D", "line\nbreak"));
        values.addAll(randomHeaders("", 5_000));
        assertSameDecisions(FastHeaderChecks.printableAsciiOr(StrictHttpFirewall.ALLOWED_HEADER_VALUES, true),
                StrictHttpFirewall.ALLOWED_HEADER_VALUES, values);
        assertSameDecisions(FastHeaderChecks.printableAsciiOr(StrictHttpFirewall.ALLOWED_HEADER_NAMES, false),
                StrictHttpFirewall.ALLOWED_HEADER_NAMES, values);
        assertSameDecisions(FastHeaderChecks.printableAsciiOr(StrictHttpFirewall.ALLOWED_PARAMETER_NAMES, false),
                StrictHttpFirewall.ALLOWED_PARAMETER_NAMES, values);
        for (String v : List.of("plain", "Bearer " + JWT, "a\tb", "a\u0000", "\u0378", "caf\u00e9")) {
            assertThat(firewalledHeader(fast, v)).as("%s", v).isEqualTo(firewalledHeader(new StrictHttpFirewall(), v));
        }
        assertThat(firewalledHeader(fast, "a\u0000")).isEqualTo("rejected");
    }

    private static String firewalledHeader(StrictHttpFirewall firewall, String value) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/apps");
        request.addHeader("X-Test", value);
        try {
            return firewall.getFirewalledRequest(request).getHeader("X-Test");
        } catch (RequestRejectedException e) {
            return "rejected";
        }
    }

    /** A tab is allowed in a header's value (Spring's rule), never in its name. */
    @Test
    void aTab_passesInAValue_notInAName() {
        assertThat(FastHeaderChecks.printableAsciiOr(StrictHttpFirewall.ALLOWED_HEADER_VALUES, true).test("a\tb")).isTrue();
        assertThat(FastHeaderChecks.printableAsciiOr(StrictHttpFirewall.ALLOWED_HEADER_NAMES, false).test("a\tb")).isFalse();
    }

    private static void assertSameDecisions(Predicate<String> fast, Predicate<String> spring, List<String> values) {
        for (String v : values) {
            assertThat(fast.test(v)).as("%s", v.codePoints().mapToObj(Integer::toHexString).toList()).isEqualTo(spring.test(v));
        }
    }

    private static String outcome(BearerTokenResolver resolver, String header) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/builds");
        if (header != null) {
            request.addHeader("Authorization", header);
        }
        try {
            return "token " + resolver.resolve(request);
        } catch (OAuth2AuthenticationException e) {
            return "refused " + e.getError().getErrorCode() + " " + e.getError().getDescription();
        }
    }

    private static List<String> randomHeaders(String prefix, int count) {
        Random random = new Random(21);
        List<String> out = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            StringBuilder s = new StringBuilder(prefix);
            int length = random.nextInt(12);
            for (int i = 0; i < length; i++) {
                // mostly token characters, so that many are well formed up to one odd character
                s.append(random.nextInt(4) > 0 ? JWT.charAt(random.nextInt(JWT.length())) : ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            out.add(s.toString());
        }
        return out;
    }

    /** The caller's admin flag, read from the claim as it is (a list of strings in every token {@link AccessTokens} accepts). */
    @Test
    void admin_isARolesListNamingAdmin() {
        assertThat(CallerAuthentication.isAdmin(List.of("admin"))).isTrue();
        assertThat(CallerAuthentication.isAdmin(List.of("viewer", "admin"))).isTrue();
        assertThat(CallerAuthentication.isAdmin(List.of())).isFalse();
        assertThat(CallerAuthentication.isAdmin(List.of("Admin"))).isFalse();
        assertThat(CallerAuthentication.isAdmin(null)).isFalse();
        assertThat(CallerAuthentication.isAdmin(java.util.Arrays.asList(null, "editor"))).isFalse();
    }
}
