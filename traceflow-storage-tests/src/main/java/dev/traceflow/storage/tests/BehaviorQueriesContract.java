package dev.traceflow.storage.tests;

import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.storage.Heatmap;
import dev.traceflow.core.storage.PageTransition;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static dev.traceflow.storage.tests.QueryEvents.event;
import static dev.traceflow.storage.tests.QueryEvents.pageview;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Page transitions and click heatmaps ({@link dev.traceflow.core.storage.SessionQueries#transitions},
 * {@link dev.traceflow.core.storage.SessionQueries#heatmap}) on small datasets whose answers are
 * worked out by hand here.
 */
public abstract class BehaviorQueriesContract extends AnswerContract {

    protected static final String APP = "shop";
    /** A Tuesday. */
    protected static final Instant DAY = Instant.parse("2026-11-24T00:00:00Z");
    private static final Filters FIREFOX = new Filters(null, null, null, "Firefox", null, null, null);

    private static Instant at(String hhmmss) {
        return Instant.parse("2026-11-24T" + hhmmss + "Z");
    }

    private static EventQuery day() {
        return EventQuery.of(APP, DAY, DAY.plusSeconds(86_400));
    }

    /**
     * <ul>
     *   <li>s1: / → /products → (a click, a page view without URL) → /cart → /products</li>
     *   <li>a2 (no sessionId, sessionised): / → /products</li>
     *   <li>s3: /blog → /blog (a reload)</li>
     *   <li>s5 entered on Firefox, then Chrome: / → /products</li>
     *   <li>old: started yesterday, / → /x today: not a session of today</li>
     *   <li>anonymous page views of no session: not counted</li>
     * </ul>
     */
    private void storePaths() {
        store(pageview(APP, at("10:00:00"), "/").session("s1"),
                pageview(APP, at("10:00:10"), "/products").session("s1"),
                event(APP, EventType.CLICK, at("10:00:15")).session("s1").path("/products")
                        .details(new EventDetails.ClickDetails(1, 1, 10, 10, null)),
                pageview(APP, at("10:00:20"), null).session("s1"),
                pageview(APP, at("10:00:30"), "/cart").session("s1"),
                pageview(APP, at("10:00:40"), "/products").session("s1"),
                pageview(APP, at("11:00:00"), "/").anonymous("a2"),
                pageview(APP, at("11:05:00"), "/products").anonymous("a2"),
                pageview(APP, at("12:00:00"), "/blog").session("s3"),
                pageview(APP, at("12:00:05"), "/blog").session("s3"),
                pageview(APP, at("13:00:00"), "/").session("s5").client("Firefox", "Linux", "desktop"),
                pageview(APP, at("13:00:09"), "/products").session("s5"),
                pageview(APP, DAY.minusSeconds(60), "/").session("old"),
                pageview(APP, DAY.plusSeconds(60), "/x").session("old"),
                pageview(APP, at("14:00:00"), "/nobody"),
                pageview(APP, at("14:00:01"), "/nobody-else"));
    }

    @Test
    void transitions_countConsecutivePageViewsPerSession_entryFirst_mostFrequentThenByFromAndTo() {
        storePaths();

        List<PageTransition> all = storage.sessions().transitions(day(), 100);

        assertThat(all).containsExactly(
                new PageTransition("(entry)", "/", 3),
                new PageTransition("/", "/products", 3),
                new PageTransition("(entry)", "/blog", 1),
                new PageTransition("/blog", "/blog", 1),
                new PageTransition("/cart", "/products", 1),
                new PageTransition("/products", "/cart", 1));
    }

    @Test
    void transitions_limit_keepsTheMostFrequent() {
        storePaths();

        assertThat(storage.sessions().transitions(day(), 2)).containsExactly(
                new PageTransition("(entry)", "/", 3),
                new PageTransition("/", "/products", 3));
    }

    @Test
    void transitions_filterSessionsOnTheirFirstEvent_andPathOnTheEntryPage() {
        storePaths();

        List<PageTransition> firefox = storage.sessions().transitions(day().withFilters(FIREFOX), 100);
        List<PageTransition> enteredOnBlog = storage.sessions().transitions(
                day().withFilters(new Filters(null, null, "/blog", null, null, null, null)), 100);

        assertThat(firefox).containsExactly(new PageTransition("(entry)", "/", 1), new PageTransition("/", "/products", 1));
        assertThat(enteredOnBlog).containsExactly(new PageTransition("(entry)", "/blog", 1), new PageTransition("/blog", "/blog", 1));
    }

    @Test
    void transitions_ofASessionSpanningMidnight_belongToTheDayItStarted() {
        storePaths();

        List<PageTransition> yesterday = storage.sessions().transitions(EventQuery.of(APP, DAY.minusSeconds(86_400), DAY), 100);

        assertThat(yesterday).containsExactly(new PageTransition("(entry)", "/", 1), new PageTransition("/", "/x", 1));
    }

    @Test
    void transitions_ofEqualTimes_followTheOrderStored() {
        storage.consumer().accept(List.of(pageview(APP, at("15:00:00"), "/one").session("tie").build(),
                pageview(APP, at("15:00:00"), "/two").session("tie").build()));

        assertThat(storage.sessions().transitions(day(), 10))
                .containsExactly(new PageTransition("(entry)", "/one", 1), new PageTransition("/one", "/two", 1));
    }

    @Test
    void transitions_ofNoSessions_areEmpty() {
        assertThat(storage.sessions().transitions(day(), 10)).isEmpty();
    }

    private static QueryEvents click(String time, String path, double x, double y, int width, int height) {
        return event(APP, EventType.CLICK, at(time)).anonymous("clicker").path(path)
                .details(new EventDetails.ClickDetails(x, y, width, height, "#b"));
    }

    /**
     * On /pricing, viewport 1000 x 800 unless said: cells (x = floor(100 x / 1000), y = floor(100 y / 800)).
     */
    private void storeClicks() {
        store(click("09:00:00", "/pricing", 0, 0, 1000, 800),            // (0, 0)
                click("09:00:01", "/pricing", 999, 799, 1000, 800),      // 99.9, 99.875 -> (99, 99)
                click("09:00:02", "/pricing", 1500, 400, 1000, 800),     // 150 -> clamped 99, 50 -> (99, 50)
                click("09:00:03", "/pricing", -5, 10, 1000, 800),        // -0.5 -> -1 -> clamped 0, 1.25 -> (0, 1)
                click("09:00:04", "/pricing", 505, 404, 1000, 800),      // 50.5, 50.5 -> (50, 50)
                click("09:00:05", "/pricing", 509.99, 407.99, 1000, 800), // 50.999, 50.99875 -> (50, 50)
                click("09:00:06", "/pricing", 10, 10, 0, 0),             // no viewport: not placed
                click("09:00:07", "/pricing", 10, 10, 1000, 0),          // no height: not placed
                click("09:00:08", "/pricing", 1, 1, 3, 3)                // 33.33.. -> (33, 33)
                        .client("Firefox", "Linux", "desktop"),
                click("09:00:09", "/other", 1, 1, 1000, 800),            // another page
                click("08:59:59", "/pricing", 1, 1, 1000, 800).session("s")  // still today: (0, 0)
                        .client("Safari", "iOS", "mobile"),
                event(APP, EventType.CLICK, DAY.minusSeconds(1)).anonymous("clicker").path("/pricing")
                        .details(new EventDetails.ClickDetails(1, 1, 1000, 800, null)),   // yesterday
                pageview(APP, at("09:00:10"), "/pricing").anonymous("clicker"));        // not a click
    }

    @Test
    void heatmap_placesEachClickOnTheGrid_clampsTheEdges_andSkipsClicksWithoutViewport() {
        storeClicks();

        Heatmap h = storage.sessions().heatmap(day(), "/pricing");

        assertThat(h.clicks()).isEqualTo(8);
        assertThat(h.cells()).containsExactly(
                new Heatmap.Cell(0, 0, 2),
                new Heatmap.Cell(0, 1, 1),
                new Heatmap.Cell(33, 33, 1),
                new Heatmap.Cell(50, 50, 2),
                new Heatmap.Cell(99, 50, 1),
                new Heatmap.Cell(99, 99, 1));
    }

    @Test
    void heatmap_filtersEachClickOnItsOwnDimensions() {
        storeClicks();

        Heatmap firefox = storage.sessions().heatmap(day().withFilters(FIREFOX), "/pricing");
        Heatmap mobile = storage.sessions().heatmap(
                day().withFilters(new Filters(null, null, "/pricing", null, null, "mobile", null)), "/pricing");

        assertThat(firefox.cells()).containsExactly(new Heatmap.Cell(33, 33, 1));
        assertThat(firefox.clicks()).isEqualTo(1);
        assertThat(mobile.cells()).containsExactly(new Heatmap.Cell(0, 0, 1));
    }

    @Test
    void heatmap_ofAPageWithoutClicks_isEmpty() {
        storeClicks();

        Heatmap h = storage.sessions().heatmap(day(), "/never");

        assertThat(h.clicks()).isZero();
        assertThat(h.cells()).isEmpty();
    }
}
