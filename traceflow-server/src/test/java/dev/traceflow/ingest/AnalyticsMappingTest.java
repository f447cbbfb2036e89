package dev.traceflow.ingest;

import dev.traceflow.core.event.Event;
import dev.traceflow.proto.v1.AnalyticsEvent;
import dev.traceflow.proto.v1.EventContext;
import dev.traceflow.proto.v1.UserLoginEvent;
import dev.traceflow.proto.v1.UserRegisterEvent;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 16 item 8: contact details in typed events are never stored. */
class AnalyticsMappingTest {

    private static EventContext context() {
        return EventContext.newBuilder().setClientTs(1_764_000_000_000L).setUserId("u-1").setClientId("c-1").build();
    }

    @Test
    void login_dropsTheEmailAndKeepsTheOtherFields() {
        AnalyticsEvent login = AnalyticsEvent.newBuilder().setContext(context())
                .setUserLogin(UserLoginEvent.newBuilder().setEmail("ada@example.test").setLoginMethod("password")).build();

        List<Event> events = AnalyticsMapping.toEvents(login, "app", 10, null, 0);

        assertThat(events).hasSize(1);
        assertThat(events.getFirst().properties()).containsExactlyEntriesOf(java.util.Map.of("loginMethod", "password"));
        assertThat(events.getFirst().userId()).isEqualTo("u-1");
    }

    @Test
    void register_dropsTheEmail() {
        AnalyticsEvent register = AnalyticsEvent.newBuilder().setContext(context())
                .setUserRegister(UserRegisterEvent.newBuilder().setEmail("ada@example.test").setWorkspaceId("w-1")
                        .setRegistrationMethod("invite")).build();

        Event e = AnalyticsMapping.toEvents(register, "app", 10, null, 0).getFirst();

        assertThat(e.properties()).doesNotContainKey("email").containsEntry("workspaceId", "w-1")
                .containsEntry("registrationMethod", "invite");
        assertThat(e.properties().toString()).doesNotContain("ada@example.test");
    }
}
