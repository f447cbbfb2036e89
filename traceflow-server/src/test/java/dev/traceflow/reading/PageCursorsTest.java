package dev.traceflow.reading;

import dev.traceflow.http.ApiException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PageCursorsTest {

    private final PageCursors cursors = new PageCursors();

    @Test
    void aCursorGivenOut_readsBackItsPosition() {
        assertThat(cursors.decode(cursors.encode("1764806400000:s-42"))).isEqualTo("1764806400000:s-42");
    }

    /** Any change of the last character is refused, also where it only touches bits base64 leaves unused. */
    @Test
    void everyEditOfTheLastCharacter_isRefused() {
        for (int length = 1; length <= 6; length++) {
            String cursor = cursors.encode("p".repeat(length));
            char last = cursor.charAt(cursor.length() - 1);
            for (char c : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray()) {
                if (c != last) {
                    String edited = cursor.substring(0, cursor.length() - 1) + c;
                    assertThatThrownBy(() -> cursors.decode(edited)).as(edited).isInstanceOf(ApiException.class);
                }
            }
        }
    }

    @Test
    void madeUpAndOverlongCursors_areRefused() {
        assertThatThrownBy(() -> cursors.decode("not-a-cursor")).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> cursors.decode("A".repeat(2000))).isInstanceOf(ApiException.class);
    }
}
