package dev.traceflow;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** TraceFlow: telemetry ingest, processing and storage for frontend teams. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class TraceFlowApplication {

    public static void main(String[] args) {
        SpringApplication.run(TraceFlowApplication.class, args);
    }
}
