package dev.traceflow.builds.internal.run;

import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SecretMaskerTest {

    private static final String SECRET = "hunter2-Sup3r/S3cret+token";

    private static SecretMasker masker() {
        SecretMasker masker = new SecretMasker();
        masker.add(List.of(SECRET), 6);
        return masker;
    }

    @Test
    void masksThePlainSecret() {
        SecretMasker.Result r = masker().mask(List.of("token=" + SECRET + " end"), true);
        assertThat(r.released()).containsExactly("token=[MASKED] end");
        assertThat(r.found()).isEqualTo(1);
    }

    @Test
    void masksTheUrlEncodedSecret() {
        String encoded = URLEncoder.encode(SECRET, StandardCharsets.UTF_8);
        assertThat(encoded).isNotEqualTo(SECRET);
        assertThat(masker().mask(List.of("https://x.test/?t=" + encoded), true).released()).containsExactly("https://x.test/?t=[MASKED]");
    }

    @Test
    void masksBase64_atEveryAlignment() {
        for (String before : List.of("", "a", "ab", "abc", "user:")) {
            String encoded = Base64.getEncoder().encodeToString((before + SECRET + "!").getBytes(StandardCharsets.UTF_8));
            String line = masker().mask(List.of("Authorization: Basic " + encoded), true).released().getFirst();
            assertThat(line).as("prefix '%s'", before).contains("[MASKED]");
            // what is left of the encoding is too short to hold the secret back together
            assertThat(line.replace("[MASKED]", "").length()).isLessThan(("Authorization: Basic ").length() + 16);
        }
    }

    @Test
    void aSecretSplitAcrossLines_isMasked_inBothParts() {
        SecretMasker.Result r = masker().mask(List.of("before " + SECRET.substring(0, 10), SECRET.substring(10) + " after"), true);
        assertThat(r.released()).containsExactly("before [MASKED]", "[MASKED] after");
    }

    @Test
    void aLineEndingInASecretsBeginning_isHeldBack_untilTheNextLinesShowWhatFollows() {
        SecretMasker masker = masker();
        SecretMasker.Result first = masker.mask(List.of("one", "two " + SECRET.substring(0, 8)), false);
        assertThat(first.released()).containsExactly("one");
        assertThat(first.held()).containsExactly("two " + SECRET.substring(0, 8));

        List<String> next = new ArrayList<>(first.held());
        next.add(SECRET.substring(8) + " three");
        SecretMasker.Result second = masker.mask(next, false);
        assertThat(second.released()).containsExactly("two [MASKED]", "[MASKED] three");
        assertThat(second.held()).isEmpty();
    }

    @Test
    void heldLinesThatTurnOutHarmless_areReleasedUnchanged_andAllAtTheEnd() {
        SecretMasker masker = masker();
        SecretMasker.Result first = masker.mask(List.of("x hunt"), false);
        assertThat(first.held()).containsExactly("x hunt");
        List<String> next = new ArrayList<>(first.held());
        next.add("ing season");
        assertThat(masker.mask(next, false).released()).containsExactly("x hunt", "ing season");
        assertThat(masker.mask(List.of("ends in hunter"), true).released()).containsExactly("ends in hunter");
    }

    @Test
    void withoutSecrets_nothingIsHeldOrChanged() {
        SecretMasker none = new SecretMasker();
        SecretMasker.Result r = none.mask(List.of("a", "", "b"), false);
        assertThat(r.released()).containsExactly("a", "", "b");
        assertThat(r.held()).isEmpty();
    }

    @Test
    void shortSecretsAreNotMasked() {
        SecretMasker masker = new SecretMasker();
        assertThat(masker.add(List.of("abc", ""), 6)).isZero();
        assertThat(masker.mask(List.of("abc"), true).released()).containsExactly("abc");
    }
}
