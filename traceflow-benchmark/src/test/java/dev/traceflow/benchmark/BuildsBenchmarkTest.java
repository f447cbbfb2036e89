package dev.traceflow.benchmark;

import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BuildsBenchmarkTest {

    @Test
    void theRepository_hasOneTaggedCommitPerTag_onMain(@TempDir Path dir) throws Exception {
        try (Repository repo = BuildsBenchmark.repository(dir.resolve("r.git"), 1_234); RevWalk walk = new RevWalk(repo)) {
            List<Ref> tags = repo.getRefDatabase().getRefsByPrefix(Constants.R_TAGS);
            assertThat(tags).hasSize(1_234);
            assertThat(tags.stream().map(Ref::getName).distinct()).hasSize(1_234);
            assertThat(repo.exactRef(Constants.HEAD).getTarget().getName()).isEqualTo("refs/heads/main");
            var head = walk.parseCommit(repo.resolve("refs/heads/main"));
            assertThat(head.getFullMessage()).isEqualTo("release v1.23.3\n");
            assertThat(repo.resolve("refs/tags/v1.23.3")).isEqualTo(head.getId());
            assertThat(repo.resolve("refs/tags/v0.0.0")).isNotNull();
        }
    }

    @Test
    void percentiles_areNearestRank() {
        double[] sorted = new double[100];
        for (int i = 0; i < 100; i++) {
            sorted[i] = i + 1;
        }
        assertThat(BuildsBenchmark.percentile(sorted, 0.50)).isEqualTo(50);
        assertThat(BuildsBenchmark.percentile(sorted, 0.99)).isEqualTo(99);
        assertThat(BuildsBenchmark.percentile(new double[]{7}, 0.99)).isEqualTo(7);
    }

    @Test
    void options_haveTheIssuesDefaults_andRefuseMoreTagsThanTheServerReads() throws Exception {
        BuildsBenchmark.Options options = BuildsBenchmark.Options.parse(new String[0]);
        assertThat(options.tags()).isEqualTo(10_000);
        assertThat(options.validateRequests()).isEqualTo(5_000);
        assertThatThrownBy(() -> BuildsBenchmark.Options.parse(new String[]{"--tags", "20001"}))
                .isInstanceOf(BenchmarkOptions.UsageException.class);
        assertThatThrownBy(() -> BuildsBenchmark.Options.parse(new String[]{"--nope", "1"}))
                .isInstanceOf(BenchmarkOptions.UsageException.class);
    }

    @Test
    void theLoadAverage_isTheThreeFiguresOfProcLoadavg() {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(Path.of("/proc/loadavg")), "Linux only");
        assertThat(BuildsBenchmark.machineCpus()).isGreaterThanOrEqualTo(Runtime.getRuntime().availableProcessors());
        double[] load = BuildsBenchmark.loadAverage();
        assertThat(load).hasSize(3);
        assertThat(java.util.Arrays.stream(load).min().orElseThrow()).isGreaterThanOrEqualTo(0);
    }
}
