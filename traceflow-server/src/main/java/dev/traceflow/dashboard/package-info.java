/**
 * The web dashboard (issue 24), served by the server itself: the Vite build of
 * {@code src/main/ui} (Preact, uPlot) that the Maven build puts into the jar under
 * {@code dashboard/}. {@code index.html} answers every page route
 * ({@link dev.traceflow.http.DashboardPaths}) and is never cached; the hashed files under
 * {@code /assets/} are cached for a year. Every response carries a Content Security Policy that
 * allows only this server's scripts, styles and connections. The pages read nothing private: they
 * sign in through {@code /auth/*} and call the public API with the user's access token. When the
 * build was skipped (no Node.js), the routes answer a page that says how to build it.
 */
package dev.traceflow.dashboard;
