package dev.traceflow.processing.grouping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ErrorFingerprinterTest {

    private static final String APP = "https://shop.test/static/js/app.3f2a1b9c.js?v=2";
    private static final String REACT =
            "https://shop.test/node_modules/react-dom/cjs/react-dom.development.js";

    /** One bug: TypeError in handleClick, called from onSubmit, dispatched by React. */
    private static final String CHROME = """
            TypeError: Cannot read properties of undefined (reading 'id')
                at ShopForm.handleClick (%1$s:10:15)
                at onSubmit (%1$s:20:5)
                at HTMLUnknownElement.callCallback (%2$s:4164:14)
            """.formatted(APP, REACT);

    private static final String FIREFOX = """
            ShopForm.prototype.handleClick@%1$s:11:3
            onSubmit@%1$s:21:9
            callCallback@%2$s:4164:14
            """.formatted(APP, REACT);

    private static final String SAFARI = """
            handleClick@%1$s:10:27
            onSubmit@%1$s:20:12
            callCallback@%2$s:4170:20
            [native code]
            """.formatted(APP, REACT);

    private static String fp(String type, String message, String stack) {
        return ErrorFingerprinter.fingerprint(type, message, stack, null);
    }

    // --- the key contract: one bug, one group --------------------------------------------------

    @Test
    void fingerprint_sameBugInChromeFirefoxAndSafariGroupsTogether() {
        String chrome = fp("TypeError", "Cannot read properties of undefined (reading 'id')", CHROME);
        String firefox = fp("TypeError", "e.target is undefined", FIREFOX);
        String safari = fp("TypeError", "undefined is not an object (evaluating 'e.target.id')", SAFARI);

        assertThat(chrome).isEqualTo(firefox).isEqualTo(safari);
    }

    @Test
    void fingerprint_differentFunctionGivesDifferentGroup() {
        String other = CHROME.replace("ShopForm.handleClick", "ShopForm.handleChange");
        assertThat(fp("TypeError", "x", other)).isNotEqualTo(fp("TypeError", "x", CHROME));
    }

    @Test
    void fingerprint_sameFramesDifferentErrorTypeGivesDifferentGroup() {
        assertThat(fp("RangeError", "x", CHROME)).isNotEqualTo(fp("TypeError", "x", CHROME));
    }

    @Test
    void fingerprint_errorTypeTakenFromStackHeaderMessageWhenTypeMissing() {
        assertThat(fp(null, "Uncaught TypeError: boom", CHROME)).isEqualTo(fp("TypeError", "boom", CHROME));
    }

    @Test
    void fingerprint_newDeploymentWithNewContentHashGroupsTogether() {
        String next = CHROME.replace("app.3f2a1b9c.js?v=2", "app.99aa77bb.js?v=3");
        assertThat(fp("TypeError", "x", next)).isEqualTo(fp("TypeError", "x", CHROME));
    }

    @Test
    void fingerprint_otherFileGivesDifferentGroup() {
        String other = CHROME.replace("app.3f2a1b9c.js", "checkout.3f2a1b9c.js");
        assertThat(fp("TypeError", "x", other)).isNotEqualTo(fp("TypeError", "x", CHROME));
    }

    @Test
    void fingerprint_isLowercaseHexOf32Characters() {
        assertThat(fp("TypeError", "x", CHROME)).matches("[0-9a-f]{32}");
        assertThat(ErrorFingerprinter.fingerprint(null, null, null, null)).matches("[0-9a-f]{32}");
    }

    // --- client fingerprint --------------------------------------------------------------------

    @Test
    void fingerprint_clientFingerprintOverridesStackAndMessage() {
        List<String> custom = List.of("checkout", "payment-timeout");
        assertThat(ErrorFingerprinter.fingerprint("TypeError", "a", CHROME, custom))
                .isEqualTo(ErrorFingerprinter.fingerprint("RangeError", "b", SAFARI.replace("handleClick", "x"), custom));
    }

    @Test
    void fingerprint_clientFingerprintPartsAreNotConfusedWhenJoined() {
        String twoParts = ErrorFingerprinter.fingerprint(null, null, null, List.of("a", "b"));
        String onePart = ErrorFingerprinter.fingerprint(null, null, null, List.of("a\u0000b"));
        String onePartColon = ErrorFingerprinter.fingerprint(null, null, null, List.of("a1:b"));
        assertThat(twoParts).isNotEqualTo(onePart).isNotEqualTo(onePartColon);
    }

    @Test
    void fingerprint_clientFingerprintNeverEqualsComputedOne() {
        // The computed message group hashes ["message", "Error", "boom"]; a client sending exactly
        // those strings must still get a different group.
        assertThat(ErrorFingerprinter.fingerprint(null, null, null, List.of("message", "Error", "boom")))
                .isNotEqualTo(fp(null, "boom", null));
    }

    @Test
    void fingerprint_emptyClientFingerprintIsIgnored() {
        assertThat(ErrorFingerprinter.fingerprint("TypeError", "x", CHROME, List.of()))
                .isEqualTo(fp("TypeError", "x", CHROME));
    }

    @Test
    void fingerprint_clientFingerprintWithNullElementDoesNotThrow() {
        assertThat(ErrorFingerprinter.fingerprint(null, null, null, Arrays.asList("a", null)))
                .isEqualTo(ErrorFingerprinter.fingerprint(null, null, null, List.of("a", "")));
    }

    // --- message fallback ----------------------------------------------------------------------

    @Test
    void fingerprint_withoutInAppFramesGroupsByNormalisedMessage() {
        String thirdPartyOnly = "    at f (" + REACT + ":1:2)\n    at Array.map (<anonymous>)";
        String id = fp("TypeError", "Cannot read properties of undefined (reading 'id')", thirdPartyOnly);
        String name = fp("TypeError", "Cannot read properties of undefined (reading 'name')", null);
        String other = fp("TypeError", "Cannot set properties of null (setting 'name')", null);

        assertThat(id).isEqualTo(name).isNotEqualTo(other);
    }

    @Test
    void fingerprint_messageGroupDependsOnErrorType() {
        assertThat(fp("TypeError", "boom", null)).isNotEqualTo(fp("RangeError", "boom", null));
    }

    @Test
    void fingerprint_messageGroupDiffersFromStackGroup() {
        assertThat(fp("TypeError", "x", CHROME)).isNotEqualTo(fp("TypeError", "x", null));
    }

    // --- errorType -----------------------------------------------------------------------------

    static Stream<Arguments> errorTypes() {
        return Stream.of(
                arguments("TypeError", "whatever", "TypeError"),
                arguments(" Foo ", "whatever", "Foo"),
                arguments(null, "TypeError: x is undefined", "TypeError"),
                arguments("", "Uncaught TypeError: x", "TypeError"),
                arguments("  ", "Uncaught (in promise) AbortError: x", "AbortError"),
                arguments(null, "ChunkLoadError: Loading chunk 3 failed", "ChunkLoadError"),
                arguments(null, "Something: went wrong", "Something"),
                arguments(null, "Script error.", "Error"),
                arguments(null, "Cannot read properties of undefined (reading 'id')", "Error"),
                arguments(null, "Failed to fetch: see https://x.test", "Error"),
                arguments(null, null, "Error"),
                arguments(null, "", "Error"));
    }

    @ParameterizedTest
    @MethodSource("errorTypes")
    void errorType_fromArgumentElseMessagePrefixElseError(String type, String message, String expected) {
        assertThat(ErrorFingerprinter.errorType(type, message)).isEqualTo(expected);
    }

    // --- normalisation -------------------------------------------------------------------------

    @Nested
    class NormaliseFunction {

        @ParameterizedTest
        @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "handleClick                 | handleClick",
            "Object.foo                  | foo",
            "Foo.prototype.bar           | bar",
            "HTMLButtonElement.onclick   | onclick",
            "new Foo                     | Foo",
            "async fn                    | fn",
            "async Object.load           | load",
            "foo/<                       | foo",
            "foo</<                      | foo",
            "bar/baz<                    | baz",
            "async*onSubmit              | onSubmit",
            "promise callback*onLoad     | onLoad",
            "gen*                        | gen",
            "Object.foo [as bar]         | foo",
            "<anonymous>                 | ?",
            "Object.<anonymous>          | ?",
            "new <anonymous>             | ?",
            "global code                 | ?",
            "eval code                   | ?",
            "module code                 | ?",
            "''                          | ?",
            "NULL                        | ?",
        })
        void normaliseFunction_makesEnginesAgree(String input, String expected) {
            assertThat(ErrorFingerprinter.normaliseFunction(input)).isEqualTo(expected);
        }
    }

    @Nested
    class NormaliseFile {

        @ParameterizedTest
        @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "https://shop.test/static/js/app.3f2a1b9c.js?v=2     | static/js/app.js",
            "https://cdn.other/static/js/app.js#frag             | static/js/app.js",
            "https://host/app-3f2a1b9c.js                        | app.js",
            "https://host/my-app-3f2a1b9c.js                     | my-app.js",
            "https://host/chunk.0123abcd4567.js                  | chunk.js",
            "https://host/static/js/main.abc123ef12.chunk.js     | static/js/main.chunk.js",
            "https://host/3f2a1b9c.js                            | <hash>.js",
            "https://host/assets/v1.2.3/app.js                   | assets/app.js",
            "https://host/assets/1.2.3/app.js                    | assets/app.js",
            "https://host/assets/2.0.0-beta.1/app.js             | assets/app.js",
            "https://cdn.test/npm/pkg@1.2.3/dist/x.js            | npm/pkg/dist/x.js",
            "https://cdn.test/npm/@scope/pkg@18/index.js         | npm/@scope/pkg/index.js",
            "https://host/build/3f2a1b9c7d/app.js                | build/app.js",
            "https://host/lib/jquery-3.6.0.min.js                | lib/jquery.min.js",
            "webpack:///./src/x.js                               | src/x.js",
            "webpack://my-app/./src/x.js                         | src/x.js",
            "webpack-internal:///./src/x.js                      | src/x.js",
            "/srv/app/src/index.js                               | srv/app/src/index.js",
            "C:\\app\\src\\index.js                              | C:/app/src/index.js",
            "blob:https://host/5e8d1c2a-1b2c-4d3e-8f9a-0b1c2d3e4f5a | <uuid>",
            "https://host/deadbeef.js                            | deadbeef.js",
            "https://host/                                       | ''",
            "<anonymous>                                         | <anonymous>",
            "NULL                                                | ''",
        })
        void normaliseFile_dropsHostQueryVersionsAndHashes(String input, String expected) {
            assertThat(ErrorFingerprinter.normaliseFile(input)).isEqualTo(expected);
        }

        @Test
        void normaliseFile_hugeInputIsBounded() {
            String huge = "https://h/" + "a.1.".repeat(100_000) + "js";
            assertTimeoutPreemptively(Duration.ofSeconds(2), () -> ErrorFingerprinter.normaliseFile(huge));
        }
    }

    @Nested
    class NormaliseMessage {

        static Stream<Arguments> messages() {
            return Stream.of(
                    arguments("Cannot read properties of undefined (reading 'id')",
                            "Cannot read properties of undefined (reading <str>)"),
                    arguments("Request failed with status 503 at https://api.x/y?id=12",
                            "Request failed with status <num> at <url>"),
                    arguments("Unexpected token \"<\" in JSON at position 0",
                            "Unexpected token <str> in JSON at position <num>"),
                    arguments("Missing `key` prop", "Missing <str> prop"),
                    arguments("User 5e8d1c2a-1b2c-4d3e-8f9a-0b1c2d3e4f5a not found", "User <uuid> not found"),
                    arguments("Object 507f1f77bcf86cd799439011 missing", "Object <hex> missing"),
                    arguments("Bad pointer 0x1f", "Bad pointer <hex>"),
                    arguments("Took 12.5 ms over 3 tries", "Took <num> ms over <num> tries"),
                    arguments("Can't find variable: foo", "Can't find variable: foo"),
                    arguments("can't read 'id'", "can't read <str>"),
                    arguments("  spaced\t\tout \n message  ", "spaced out message"),
                    arguments(null, ""));
        }

        @ParameterizedTest
        @MethodSource("messages")
        void normaliseMessage_replacesVariablePartsWithPlaceholders(String input, String expected) {
            assertThat(ErrorFingerprinter.normaliseMessage(input)).isEqualTo(expected);
        }

        @Test
        void normaliseMessage_hugeAdversarialInputIsFast() {
            String[] inputs = {
                "a.".repeat(100_000),
                "'".repeat(200_000),
                "'x".repeat(100_000),
                "1.".repeat(100_000),
                "abcdef".repeat(35_000),
                "a+".repeat(100_000) + "://",
            };
            for (String input : inputs) {
                assertTimeoutPreemptively(Duration.ofSeconds(2), () -> ErrorFingerprinter.normaliseMessage(input));
            }
        }
    }
}
