package dev.traceflow.privacy;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.pipeline.DropReason;
import dev.traceflow.core.pipeline.EventBatch;
import dev.traceflow.core.pipeline.EventProcessor;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Pipeline step {@code privacy}: drops the events of people who opted out, and, for an app that
 * honours them, every event of a request that carries {@code DNT: 1} or {@code Sec-GPC: 1}; both
 * counted as {@code opted_out}. The signals are headers of the ingest request, which processors run
 * inside (on its thread), so they are read from the current request rather than threaded through
 * every ingest format's parser.
 */
@Component
class PrivacyProcessor implements EventProcessor {

    private final PrivacyRules rules;

    PrivacyProcessor(PrivacyRules rules) {
        this.rules = rules;
    }

    @Override
    public String name() {
        return "privacy";
    }

    @Override
    public void process(EventBatch batch) {
        PrivacyRules.AppRules app = rules.of(batch.appId());
        if (app.honorPrivacySignals() && requestSignalsPrivacy()) {
            for (int i = 0; i < batch.size(); i++) {
                if (batch.isLive(i)) {
                    batch.drop(i, DropReason.OPTED_OUT, "PRIVACY_SIGNAL",
                            "the browser sent Do Not Track or Global Privacy Control, which this app honours");
                }
            }
            return;
        }
        if (app.optedOut().isEmpty()) {
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            if (batch.isLive(i) && optedOut(app, batch.get(i))) {
                batch.drop(i, DropReason.OPTED_OUT, "OPTED_OUT", "this user opted out of tracking");
            }
        }
    }

    private static boolean optedOut(PrivacyRules.AppRules app, Event e) {
        return (e.userId() != null && app.optedOut().contains(PrivacyRules.hash(PrivacyRules.IdKind.USER_ID, e.userId())))
                || (e.anonymousId() != null
                && app.optedOut().contains(PrivacyRules.hash(PrivacyRules.IdKind.ANONYMOUS_ID, e.anonymousId())));
    }

    private static boolean requestSignalsPrivacy() {
        if (!(RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes)) {
            return false;
        }
        HttpServletRequest request = attributes.getRequest();
        return "1".equals(request.getHeader("DNT")) || "1".equals(request.getHeader("Sec-GPC"));
    }
}
