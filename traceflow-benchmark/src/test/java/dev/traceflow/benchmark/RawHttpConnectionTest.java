package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RawHttpConnectionTest {

    private final StubIngestServer stub = new StubIngestServer();
    private final List<BatchTemplate> templates = BatchTemplates.generate(50, 4, 7, System.currentTimeMillis());

    RawHttpConnectionTest() throws IOException {
    }

    @AfterEach
    void stopStub() {
        stub.close();
    }

    @Test
    void sendsManyRequestsOverOneKeepAliveConnection() throws IOException {
        try (RawHttpConnection connection = new RawHttpConnection(stub.address(), 2_000, 5_000)) {
            EventIdSequence ids = new EventIdSequence("conn", 1);
            for (int i = 0; i < 20; i++) {
                PreparedRequest request = request(i).privateCopy();
                request.stampEventIds(ids);

                HttpResponse response = connection.exchange(request.bytes(), request.bytes().length);

                assertThat(response.status()).isEqualTo(202);
                assertThat(AnswerCountScanner.accepted(response.body())).isEqualTo(50);
            }
            assertThat(connection.connectsMade()).isEqualTo(1);
        }
        assertThat(stub.ingestedEventIds).hasSize(20 * 50);
    }

    @Test
    void readsChunkedAnswersFromTheServer() throws IOException {
        stub.chunked = true;
        try (RawHttpConnection connection = new RawHttpConnection(stub.address(), 2_000, 5_000)) {
            for (int i = 0; i < 3; i++) {
                HttpResponse response = connection.exchange(request(i).bytes(), request(i).bytes().length);

                assertThat(response.bodyText()).isEqualTo("{\"accepted\":50,\"rejected\":0,\"errors\":[]}");
            }
        }
    }

    @Test
    void reconnectsAfterTheServerAnnouncesClose() throws IOException {
        stub.closeEvery = 2;
        try (RawHttpConnection connection = new RawHttpConnection(stub.address(), 2_000, 5_000)) {
            for (int i = 0; i < 6; i++) {
                assertThat(connection.exchange(request(i).bytes(), request(i).bytes().length).status()).isEqualTo(202);
            }
            assertThat(connection.connectsMade()).isEqualTo(3);
        }
    }

    private PreparedRequest request(int i) {
        return PreparedRequest.post(templates.get(i % templates.size()), IngestBenchmark.INGEST_PATH,
                "127.0.0.1:" + stub.address().getPort(), StubIngestServer.KEY);
    }
}
