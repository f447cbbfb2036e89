package dev.traceflow.performance;

import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Schema;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The common read parameters (API.md "Reading data") in the OpenAPI document, for endpoints that
 * take them as one map: springdoc reads these instead of the map itself.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Parameter(name = "appId", in = ParameterIn.QUERY, required = true, description = "The app to read")
@Parameter(name = "from", in = ParameterIn.QUERY, description = "Start (inclusive), ISO-8601 or epoch ms; default `to` - 24 h")
@Parameter(name = "to", in = ParameterIn.QUERY, description = "End (exclusive), ISO-8601 or epoch ms; default now")
@Parameter(name = "release", in = ParameterIn.QUERY, description = "Only events of this release")
@Parameter(name = "environment", in = ParameterIn.QUERY, description = "Only events of this environment")
@Parameter(name = "path", in = ParameterIn.QUERY, description = "Only events on this URL path (without query)")
@Parameter(name = "browser", in = ParameterIn.QUERY, description = "Only events from this browser (e.g. Chrome)")
@Parameter(name = "os", in = ParameterIn.QUERY, description = "Only events from this operating system")
@Parameter(name = "deviceType", in = ParameterIn.QUERY, description = "Only events from this device type",
        schema = @Schema(allowableValues = {"desktop", "mobile", "tablet", "bot"}))
@Parameter(name = "country", in = ParameterIn.QUERY, description = "Only events from this country")
@Parameter(name = "fresh", in = ParameterIn.QUERY, description = "true: wait until every event acknowledged before the request is readable",
        schema = @Schema(type = "boolean"))
@interface CommonParameters {
}
