package dev.traceflow.ops;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document's header (/openapi.json, UI at /docs). */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    @Bean
    OpenAPI traceFlowOpenApi() {
        return new OpenAPI().info(new Info().title("TraceFlow API").version("0.1.0")
                .description("Telemetry ingest, queries, realtime and builds for frontend teams. Errors everywhere have the shape "
                        + "{code, message, details, traceId}. Ingest answers 202 only once accepted events are committed; "
                        + "events not stored are listed by index with a reason code."));
    }
}
