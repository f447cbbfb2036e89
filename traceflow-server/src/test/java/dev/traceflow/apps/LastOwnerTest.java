package dev.traceflow.apps;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static dev.traceflow.support.TestAuth.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/** An app that has an owner always keeps one: nobody can demote or remove its last owner, not even at once. */
class LastOwnerTest extends ServerTest {

    private TestHttp.Response setRole(String app, String username, String role, String token) {
        return http.send("PUT", "/api/apps/" + app + "/members/" + username, ("{\"role\":\"" + role + "\"}").getBytes(),
                "Content-Type", "application/json", "Authorization", "Bearer " + token);
    }

    private long owners(String app) {
        long owners = 0;
        for (var member : http.get("/api/apps/" + app + "/members", bearer(auth.admin())).json().path("items")) {
            owners += member.path("role").asString().equals("owner") ? 1 : 0;
        }
        return owners;
    }

    @Test
    void theLastOwner_cannotBeDemotedOrRemoved_byThemselvesOrAnAdmin() {
        String app = TestAuth.uniqueName("one-owner");
        auth.createApp(app);
        String name = TestAuth.uniqueName("sole");
        String token = auth.newUserToken(name);
        auth.grant(app, name, "owner");

        TestHttp.Response demote = setRole(app, name, "editor", token);
        assertThat(demote.status()).as(demote.toString()).isEqualTo(409);
        assertThat(demote.json().path("code").asString()).isEqualTo("LAST_OWNER");
        assertThat(setRole(app, name, "viewer", auth.admin()).status()).isEqualTo(409);
        assertThat(http.send("DELETE", "/api/apps/" + app + "/members/" + name, null, bearer(token)).status()).isEqualTo(409);
        assertThat(http.send("DELETE", "/api/apps/" + app + "/members/" + name, null, bearer(auth.admin())).status()).isEqualTo(409);
        assertThat(owners(app)).isEqualTo(1);

        String second = TestAuth.uniqueName("second");
        auth.newUserToken(second);
        auth.grant(app, second, "owner");
        assertThat(setRole(app, name, "editor", token).status()).as("with another owner").isEqualTo(200);
    }

    @Test
    void twoOwnersDemotingEachOtherAtOnce_leaveOneOwner() throws Exception {
        for (int round = 0; round < 8; round++) {
            boolean remove = round % 2 == 1;
            String app = TestAuth.uniqueName("two-owners");
            auth.createApp(app);
            String a = TestAuth.uniqueName("a");
            String b = TestAuth.uniqueName("b");
            String tokenA = auth.newUserToken(a);
            String tokenB = auth.newUserToken(b);
            auth.grant(app, a, "owner");
            auth.grant(app, b, "owner");
            CountDownLatch start = new CountDownLatch(1);
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                List<CompletableFuture<TestHttp.Response>> answers = List.of(
                        CompletableFuture.supplyAsync(() -> { await(start); return !remove
                                ? setRole(app, b, "viewer", tokenA)
                                : http.send("DELETE", "/api/apps/" + app + "/members/" + b, null, bearer(tokenA)); }, threads),
                        CompletableFuture.supplyAsync(() -> { await(start); return setRole(app, a, "viewer", tokenB); }, threads));
                start.countDown();
                for (CompletableFuture<TestHttp.Response> answer : answers) {
                    assertThat(answer.get().status()).as(answer.get().toString()).isIn(200, 204, 403, 404, 409);
                }
            }
            assertThat(owners(app)).as("round " + round).isEqualTo(1);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
