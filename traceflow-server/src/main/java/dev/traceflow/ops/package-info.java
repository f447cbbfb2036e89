/** Operations: liveness and readiness checks and the OpenAPI document. */
package dev.traceflow.ops;
