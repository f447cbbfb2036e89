package dev.traceflow.builds.internal;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.builds.internal.git.GitRemote;
import dev.traceflow.builds.internal.git.GitUrlGuard;
import dev.traceflow.outbound.OutboundGuard;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.LoggerFactory;
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

    /**
     * The artifact store {@code traceflow.builds.artifacts.type} names; an unknown type stops the start
     * (a typo must not quietly keep artifacts on the local disk).
     */
    @Bean // its close() is inferred: it closes the S3 store's client
    ArtifactStore artifactStore(ArtifactStoreProperties artifacts, BuildQueueProperties queue, TraceFlowProperties properties,
                                MeterRegistry metrics) {
        ArtifactStore store = switch (artifacts.type()) {
            case "local" -> new LocalArtifactStore(queue.artifactsDir() != null ? queue.artifactsDir()
                    : properties.dataDir().resolve("builds").resolve("artifacts"));
            case "s3" -> new S3ArtifactStore(artifacts);
            default -> throw new IllegalStateException("traceflow.builds.artifacts.type must be local or s3, not '"
                    + artifacts.type() + "'");
        };
        LoggerFactory.getLogger(ArtifactStore.class).info("build artifacts are kept in the {}", store);
        return new MeteredArtifactStore(store, artifacts.type(), metrics);
    }

    @Bean
    LinkSigningKey linkSigningKey(ArtifactStoreProperties artifacts, TraceFlowProperties properties) {
        return LinkSigningKey.load(artifacts.linkKey(), properties.dataDir().resolve("builds"));
    }

    @Bean
    SchemaChecker schemaChecker(BuildsProperties builds) {
        return new SchemaChecker(builds);
    }
}
