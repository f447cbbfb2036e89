package dev.traceflow.reading;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an answer endpoint that reads its query parameters as one map through {@link ReadRequests}:
 * the OpenAPI document then lists the common parameters ({@link ReadRequests#COMMON}), the series
 * parameters when {@link #series()}, and the endpoint's own, each with its description
 * ({@link ReadParametersDocumentation} writes them; a parameter the method already describes with
 * {@code @Parameter} is left as it is).
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface ReadParameters {

    /** Whether the endpoint answers a series ({@code granularity}, {@code tz}). */
    boolean series() default false;

    /** Whether {@code appId} is required (an endpoint whose path names a resource of one app may infer it). */
    boolean appIdRequired() default true;

    /** The endpoint's own parameters as {@code "name: description"}; a name ending in {@code *} is required. */
    String[] own() default {};
}
