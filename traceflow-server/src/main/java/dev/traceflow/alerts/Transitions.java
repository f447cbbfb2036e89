package dev.traceflow.alerts;

import java.time.Duration;
import java.time.Instant;

/**
 * The state machine of a scheduled rule, apart from storage so that it is tested on its own:
 * {@code ok → pending → firing → ok}. An incident starts when the condition has held for the
 * rule's {@code for} duration (at once when zero) and the cooldown since the last incident's end
 * has passed; it resolves at the first evaluation where the condition no longer holds. So one
 * incident gives one notification when it starts and one when it ends, and a metric that hovers
 * around its threshold gives at most one incident per cooldown.
 */
final class Transitions {

    enum Action { NONE, OPEN_INCIDENT, RESOLVE_INCIDENT }

    record Step(AlertRule.Evaluation evaluation, Action action) {
    }

    private Transitions() {
    }

    /**
     * @param incidentOpen whether the rule has an incident that has not resolved
     * @param holds        whether the condition holds now (false when the metric had too few samples to decide)
     */
    static Step next(AlertRule.Evaluation e, boolean incidentOpen, boolean holds, Double value, Instant now,
                     Duration forDuration, Duration cooldown) {
        if (incidentOpen) {
            if (holds) {
                Instant since = e.state() == RuleState.FIRING && e.stateSince() != null ? e.stateSince() : now;
                return new Step(evaluated(e, RuleState.FIRING, since, now, value, e.lastResolvedAt()), Action.NONE);
            }
            return new Step(evaluated(e, RuleState.OK, now, now, value, now), Action.RESOLVE_INCIDENT);
        }
        if (!holds) {
            Instant since = e.state() == RuleState.OK && e.stateSince() != null ? e.stateSince() : now;
            return new Step(evaluated(e, RuleState.OK, since, now, value, e.lastResolvedAt()), Action.NONE);
        }
        Instant pendingSince = e.state() == RuleState.PENDING && e.stateSince() != null ? e.stateSince() : now;
        boolean heldLongEnough = !now.isBefore(pendingSince.plus(forDuration));
        boolean cooledDown = e.lastResolvedAt() == null || !now.isBefore(e.lastResolvedAt().plus(cooldown));
        if (heldLongEnough && cooledDown) {
            return new Step(evaluated(e, RuleState.FIRING, now, now, value, e.lastResolvedAt()), Action.OPEN_INCIDENT);
        }
        return new Step(evaluated(e, RuleState.PENDING, pendingSince, now, value, e.lastResolvedAt()), Action.NONE);
    }

    /** A failed query: the rule says why and keeps its incident (if any) until a query succeeds. */
    static AlertRule.Evaluation failed(AlertRule.Evaluation e, String reason, Instant now) {
        Instant since = e.state() == RuleState.ERROR && e.stateSince() != null ? e.stateSince() : now;
        return new AlertRule.Evaluation(RuleState.ERROR, since, e.nextAt(), now, null, reason, e.lastResolvedAt());
    }

    private static AlertRule.Evaluation evaluated(AlertRule.Evaluation e, RuleState state, Instant since, Instant now, Double value,
                                                  Instant lastResolvedAt) {
        return new AlertRule.Evaluation(state, since, e.nextAt(), now, value, null, lastResolvedAt);
    }
}
