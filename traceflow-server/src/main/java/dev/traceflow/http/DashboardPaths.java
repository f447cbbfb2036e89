package dev.traceflow.http;

import java.util.List;

/**
 * The web dashboard's routes: its pages (every one answered with the same {@code index.html}; the
 * page's own router picks what to show) and its build's hashed files. Public, because the page
 * signs its user in itself and then reads the API with their token; nothing here is data. Kept
 * apart from {@code /api/**} and {@code /auth/**}, so a page route never answers in the API's place
 * (an unknown API path stays a JSON 404, a missing token a JSON 401). Here, at the web edge, for
 * the same reason as {@link IngestPaths}: the security configuration and the feature both read them.
 */
public final class DashboardPaths {

    /** The first page: the app list, or the sign-in form. */
    public static final String ROOT = "/";
    /** One app's pages ({@code /apps/shop/errors/42}); {@code /apps} itself goes to the first app. */
    public static final String APPS = "/apps";
    public static final String APP_PAGES = "/apps/**";
    /** The build's files, named by their content's hash. */
    public static final String ASSETS = "/assets/**";

    public static final List<String> ALL = List.of(ROOT, APPS, APP_PAGES, ASSETS);

    private DashboardPaths() {
    }
}
