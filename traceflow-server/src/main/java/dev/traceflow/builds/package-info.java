/**
 * Builds (seed 003 "CompilePro", issue 20 part 1): the catalogue a build is made from. Git
 * sources (reached with JGit through the SSRF guard, with sealed credentials) and their versions;
 * templates that bind sources with a version strategy, a build order and dependencies; projects
 * of an app and their config instances, validated against the sources' JSON Schemas and fixed
 * by a snapshot hash; typed platform settings. Git sources, templates, credentials and settings
 * are platform resources (admins write, signed-in users read; credentials: admins only); a
 * project and its configs follow the roles of the project's app. Part 2 runs the builds.
 *
 * <p>Public face: none yet (the routes); everything lives in {@code internal}, with the git access
 * in {@code internal.git}, which knows no Spring.
 */
package dev.traceflow.builds;
