package dev.traceflow.builds.internal;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.builds.internal.git.GitRemote;
import dev.traceflow.builds.internal.git.GitUrlGuard;
import dev.traceflow.outbound.OutboundGuard;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.nio.file.Path;

/** The builds feature's objects that are not Spring components themselves (the git access knows no Spring). */
@Configuration(proxyBeanMethods = false)
class BuildsConfiguration {

    @Bean
    GitUrlGuard gitUrlGuard(OutboundGuard outbound) {
        return new GitUrlGuard(outbound);
    }

    /** Closed with the context: its HTTP client's pooled connections. */
    @Bean(destroyMethod = "close")
    GitRemote gitRemote(GitUrlGuard guard, BuildsProperties builds, TraceFlowProperties properties) {
        Path mirrors = builds.mirrorsDir() != null ? builds.mirrorsDir() : properties.dataDir().resolve("builds").resolve("mirrors");
        return new GitRemote(guard, mirrors, builds.gitTimeout(), builds.maxFetchBytes().toBytes(), builds.maxTags());
    }

    @Bean
    SchemaChecker schemaChecker(BuildsProperties builds) {
        return new SchemaChecker(builds);
    }
}
