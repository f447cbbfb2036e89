package dev.traceflow.processing.grouping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class StackTraceParserTest {

    private static StackFrame only(String line) {
        List<StackFrame> frames = StackTraceParser.parse(line);
        assertThat(frames).hasSize(1);
        return frames.get(0);
    }

    // --- Chrome / V8 / Edge / Node -----------------------------------------------------------

    @Test
    void parse_chromeFrameWithFunction() {
        assertThat(only("    at functionName (https://host/path/file.js:10:15)"))
                .isEqualTo(new StackFrame("functionName", "https://host/path/file.js", 10, 15, true));
    }

    @Test
    void parse_chromeFrameWithoutFunction() {
        assertThat(only("    at https://host/file.js:10:15"))
                .isEqualTo(new StackFrame(null, "https://host/file.js", 10, 15, true));
    }

    @Test
    void parse_chromeConstructorAsyncAndObjectFramesKeepNameAsWritten() {
        List<StackFrame> frames = StackTraceParser.parse("""
                Error: boom
                    at new Foo (https://host/a.js:1:2)
                    at async fn (https://host/a.js:3:4)
                    at Object.<anonymous> (/srv/app/index.js:5:6)
                    at async https://host/a.js:7:8
                """);
        assertThat(frames).extracting(StackFrame::function)
                .containsExactly("new Foo", "async fn", "Object.<anonymous>", null);
        assertThat(frames).extracting(StackFrame::line).containsExactly(1, 3, 5, 7);
        assertThat(frames).allMatch(StackFrame::inApp);
    }

    @Test
    void parse_chromeAnonymousLocationIsNotInApp() {
        assertThat(only("    at <anonymous>"))
                .isEqualTo(new StackFrame(null, "<anonymous>", null, null, false));
        assertThat(only("    at Array.map (<anonymous>)"))
                .isEqualTo(new StackFrame("Array.map", "<anonymous>", null, null, false));
    }

    @Test
    void parse_chromeEvalFramePointsAtTheCallingScript() {
        assertThat(only("    at eval (eval at compile (https://host/app.js:12:34), <anonymous>:1:1)"))
                .isEqualTo(new StackFrame("eval", "https://host/app.js", 12, 34, true));
    }

    @Test
    void parse_chromeNestedEvalFramePointsAtTheOutermostScript() {
        assertThat(only("    at eval (eval at a (eval at b (https://host/app.js:5:6), <anonymous>:1:2), <anonymous>:3:4)"))
                .isEqualTo(new StackFrame("eval", "https://host/app.js", 5, 6, true));
    }

    @Test
    void parse_chromeWebpackUrl() {
        assertThat(only("    at render (webpack:///./src/x.js:10:15)"))
                .isEqualTo(new StackFrame("render", "webpack:///./src/x.js", 10, 15, true));
    }

    @Test
    void parse_chromeNativeFrameIsNotInApp() {
        assertThat(only("    at fn (native)"))
                .isEqualTo(new StackFrame("fn", "native", null, null, false));
    }

    @Test
    void parse_chromePromiseAllIndexHasNoFile() {
        assertThat(only("    at async Promise.all (index 0)"))
                .isEqualTo(new StackFrame("async Promise.all", null, null, null, false));
    }

    @Test
    void parse_chromeAliasedMethodKeepsAlias() {
        assertThat(only("    at Object.foo [as bar] (https://host/a.js:1:2)").function())
                .isEqualTo("Object.foo [as bar]");
    }

    @Test
    void parse_chromeFrameKeepsQueryInFile() {
        assertThat(only("    at f (https://host/app.js?v=2:3:4)").file()).isEqualTo("https://host/app.js?v=2");
    }

    @Test
    void parse_nodeInternalFrameIsNotInApp() {
        assertThat(only("    at Module._compile (node:internal/modules/cjs/loader:1105:14)"))
                .isEqualTo(new StackFrame("Module._compile", "node:internal/modules/cjs/loader", 1105, 14, false));
    }

    @Test
    void parse_chromeHeaderIsSkipped() {
        assertThat(StackTraceParser.parse("""
                TypeError: Cannot read properties of undefined (reading 'id')
                    at f (https://host/a.js:1:2)""")).hasSize(1);
    }

    @Test
    void parse_proseStartingWithAtIsSkipped() {
        assertThat(StackTraceParser.parse("at the end of the day nothing happened")).isEmpty();
    }

    // --- Firefox -----------------------------------------------------------------------------

    @Test
    void parse_firefoxFrameWithFunction() {
        assertThat(only("functionName@https://host/file.js:10:15"))
                .isEqualTo(new StackFrame("functionName", "https://host/file.js", 10, 15, true));
    }

    @Test
    void parse_firefoxAnonymousFrame() {
        assertThat(only("@https://host/file.js:10:15"))
                .isEqualTo(new StackFrame(null, "https://host/file.js", 10, 15, true));
    }

    @Test
    void parse_firefoxPrototypeAndNestedNames() {
        List<StackFrame> frames = StackTraceParser.parse("""
                Foo.prototype.bar@https://host/a.js:1:2
                foo/<@https://host/a.js:3:4
                bar/baz<@https://host/a.js:5:6
                async*onSubmit@https://host/a.js:7:8
                """);
        assertThat(frames).extracting(StackFrame::function)
                .containsExactly("Foo.prototype.bar", "foo/<", "bar/baz<", "async*onSubmit");
        assertThat(frames).extracting(StackFrame::column).containsExactly(2, 4, 6, 8);
    }

    @Test
    void parse_firefoxEvalFramePointsAtTheCallingScript() {
        assertThat(only("fn@https://host/file.js line 2 > eval:1:1"))
                .isEqualTo(new StackFrame("fn", "https://host/file.js", 2, null, true));
    }

    @Test
    void parse_firefoxUrlContainingAtSign() {
        assertThat(only("f@https://cdn.test/npm/pkg@1.2.3/dist/x.js:1:2"))
                .isEqualTo(new StackFrame("f", "https://cdn.test/npm/pkg@1.2.3/dist/x.js", 1, 2, true));
    }

    @Test
    void parse_firefoxExtensionFrameIsNotInApp() {
        assertThat(only("inject@moz-extension://1234-abcd/content.js:1:2").inApp()).isFalse();
    }

    @Test
    void parse_headerMentioningEmailIsSkipped() {
        assertThat(StackTraceParser.parse("Error: no account for user@example.com:8080")).isEmpty();
    }

    // --- Safari ------------------------------------------------------------------------------

    @Test
    void parse_safariFrameWithFunction() {
        assertThat(only("functionName@https://host/file.js:10:15"))
                .isEqualTo(new StackFrame("functionName", "https://host/file.js", 10, 15, true));
    }

    @Test
    void parse_safariFrameWithoutFunction() {
        assertThat(only("https://host/file.js:10:15"))
                .isEqualTo(new StackFrame(null, "https://host/file.js", 10, 15, true));
    }

    @Test
    void parse_safariGlobalCode() {
        assertThat(only("global code@https://host/file.js:1:1"))
                .isEqualTo(new StackFrame("global code", "https://host/file.js", 1, 1, true));
    }

    @Test
    void parse_safariNativeCodeIsNotInApp() {
        assertThat(only("[native code]"))
                .isEqualTo(new StackFrame(null, "[native code]", null, null, false));
        assertThat(only("forEach@[native code]"))
                .isEqualTo(new StackFrame("forEach", "[native code]", null, null, false));
    }

    @Test
    void parse_safariEvalAndModuleCodeWithoutLocation() {
        assertThat(StackTraceParser.parse("eval code@\nmodule code@"))
                .containsExactly(
                        new StackFrame("eval code", null, null, null, false),
                        new StackFrame("module code", null, null, null, false));
    }

    @Test
    void parse_safariModuleCodeWithLocation() {
        assertThat(only("module code@https://host/main.mjs:4:9"))
                .isEqualTo(new StackFrame("module code", "https://host/main.mjs", 4, 9, true));
    }

    @Test
    void parse_safariMaskedUrlIsNotInApp() {
        assertThat(only("f@webkit-masked-url://hidden/:1:2").inApp()).isFalse();
    }

    // --- inApp and robustness ----------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
        "https://shop.test/node_modules/react-dom/cjs/react-dom.development.js",
        "chrome-extension://abc/content.js",
        "moz-extension://abc/content.js",
        "safari-extension://abc/content.js",
        "safari-web-extension://abc/content.js",
        "webkit-masked-url://hidden/",
        "<anonymous>",
        "native",
        "[native code]",
        "  "
    })
    void isInApp_falseForThirdPartyEngineAndExtensionCode(String file) {
        assertThat(StackTraceParser.isInApp(file)).isFalse();
    }

    @Test
    void isInApp_trueForApplicationUrls() {
        assertThat(StackTraceParser.isInApp("https://shop.test/static/js/app.js")).isTrue();
        assertThat(StackTraceParser.isInApp("webpack:///./src/x.js")).isTrue();
        assertThat(StackTraceParser.isInApp(null)).isFalse();
    }

    @Test
    void parse_keepsTraceOrderInnermostFirst() {
        List<StackFrame> frames = StackTraceParser.parse("""
                inner@https://host/a.js:1:1
                middle@https://host/a.js:2:1
                outer@https://host/a.js:3:1""");
        assertThat(frames).extracting(StackFrame::function).containsExactly("inner", "middle", "outer");
    }

    @Test
    void parse_mixedLineEndingsAndBlankLines() {
        assertThat(StackTraceParser.parse("a@https://h/a.js:1:1\r\n\r\nb@https://h/a.js:2:1\rc@https://h/a.js:3:1"))
                .hasSize(3);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
        "   \n\t ",
        "garbage",
        "TypeError: x is undefined",
        "@@@@",
        "at",
        "    at ",
        "    at ((((",
        ")))) at",
        "Error: f@",
        "::::",
        "x:99999999999999999999:1",
        "\u0000\uFFFF"
    })
    void parse_garbageGivesEmptyListWithoutException(String stack) {
        assertThat(StackTraceParser.parse(stack)).isEmpty();
    }

    @Test
    void parse_overflowingLineNumberBecomesNull() {
        StackFrame frame = only("f@https://host/a.js:99999999999999999999:3");
        assertThat(frame.line()).isNull();
        assertThat(frame.column()).isEqualTo(3);
    }

    @Test
    void parse_200KbStackOfFramesIsFast() {
        StringBuilder sb = new StringBuilder("RangeError: Maximum call stack size exceeded\n");
        while (sb.length() < 200_000) {
            sb.append("    at recurse (https://host/static/js/app.3f2a1b9c.js:10:15)\n");
        }
        String stack = sb.toString();
        List<StackFrame> frames = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> StackTraceParser.parse(stack));
        assertThat(frames).hasSizeGreaterThan(3000).allMatch(StackFrame::inApp);
    }

    @Test
    void parse_200KbAdversarialLinesDoNotBacktrack() {
        String[] bodies = {
            "at " + "(".repeat(200_000),
            "at " + "a (".repeat(70_000) + ")",
            "@".repeat(200_000),
            "f@" + "a:".repeat(100_000),
            "x".repeat(200_000) + ":1:2",
            "f@https://h/a.js line " + "1".repeat(200_000) + " > eval:1:1",
            "at eval (eval at " + "(".repeat(100_000) + ")".repeat(100_000) + ")",
        };
        for (String body : bodies) {
            assertThatCode(() -> assertTimeoutPreemptively(Duration.ofSeconds(2),
                    () -> StackTraceParser.parse(body))).doesNotThrowAnyException();
        }
    }
}
