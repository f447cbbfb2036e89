/**
 * Error grouping for JavaScript errors: parses browser and Node stack traces (V8, SpiderMonkey
 * and JavaScriptCore formats) into {@link dev.traceflow.processing.grouping.StackFrame}s and
 * computes the fingerprint that keys an error group, from the client's own fingerprint, from the
 * normalised in-app frames, or from the normalised message, so that one bug seen by different
 * browsers and different deployments of the same code is counted as one group.
 */
package dev.traceflow.processing.grouping;
