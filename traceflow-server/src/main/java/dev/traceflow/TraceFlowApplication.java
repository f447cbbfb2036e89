package dev.traceflow;

import dev.traceflow.builds.WorkerMode;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** TraceFlow: telemetry ingest, processing and storage for frontend teams; with {@code --traceflow.mode=worker}, a build worker ({@link WorkerMode}). */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class TraceFlowApplication {

    public static void main(String[] args) {
        if (WorkerMode.requested(args, System.getenv())) {
            WorkerMode.run(args);
            return;
        }
        SpringApplication.run(TraceFlowApplication.class, args);
    }
}
