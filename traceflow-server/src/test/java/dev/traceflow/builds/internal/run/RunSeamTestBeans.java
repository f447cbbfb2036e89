package dev.traceflow.builds.internal.run;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The two beans of the run seam that the build queue needs and another branch ({@code buildsrun})
 * provides for real: the durable log store and the sandboxed runner. Found by component scanning in
 * every test context of this module; each bean stands back when a real one exists.
 */
@Configuration(proxyBeanMethods = false)
public class RunSeamTestBeans {

    @Bean
    @ConditionalOnMissingBean(BuildLogSink.class)
    RecordingLogSink recordingLogSink() {
        return new RecordingLogSink();
    }

    @Bean
    @ConditionalOnMissingBean(CommandRunner.class)
    ProcessCommandRunner processCommandRunner() {
        return new ProcessCommandRunner();
    }
}
