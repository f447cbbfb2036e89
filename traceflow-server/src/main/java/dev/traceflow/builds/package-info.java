/**
 * Builds (seed 003 "CompilePro", issue 20 part 1): the catalogue a build is made from. Git
 * sources (reached with JGit through the SSRF guard, with sealed credentials) and their versions;
 * templates that bind sources with a version strategy, a build order and dependencies; projects
 * of an app and their config instances, validated against the sources' JSON Schemas and fixed
 * by a snapshot hash; typed platform settings. Git sources, templates, credentials and settings
 * are platform resources (admins write, signed-in users read; credentials: admins only); a
 * project and its configs follow the roles of the project's app. Part 2 (issue 21) runs the builds:
 * the builds table is a leased queue (claims and every worker write fenced by the attempt), in-process
 * workers and remote ones (the worker API) run fetch, replace, build, package, output and verify, the
 * artifact goes to the artifact store (the local disk, or S3-compatible storage: one contract, one
 * setting), and a successful build defines a release of its app, joined with the telemetry sent with it.
 *
 * <p>Public face: the routes (the queue shows itself in {@code /health} as an
 * {@link dev.traceflow.ops.ReadinessCheck}); everything else lives in {@code internal}, with the git access in {@code internal.git},
 * which knows no Spring, and the seam with the log store and the sandboxed runner in
 * {@code internal.run}.
 */
package dev.traceflow.builds;
