package dev.traceflow.alerts;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class TransitionsTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final Duration FOR_3 = Duration.ofMinutes(3);
    private static final Duration COOLDOWN = Duration.ofMinutes(10);

    private static Instant at(int minutes) {
        return T0.plus(Duration.ofMinutes(minutes));
    }

    /** Runs a rule over a sequence of per-minute condition values, returning the actions taken. */
    private static String run(boolean[] holds, Duration forDuration) {
        AlertRule.Evaluation e = AlertRule.Evaluation.initial(T0);
        boolean open = false;
        StringBuilder actions = new StringBuilder();
        for (int i = 0; i < holds.length; i++) {
            Transitions.Step s = Transitions.next(e, open, holds[i], 1.0, at(i), forDuration, COOLDOWN);
            e = s.evaluation();
            switch (s.action()) {
                case OPEN_INCIDENT -> {
                    open = true;
                    actions.append('F');
                }
                case RESOLVE_INCIDENT -> {
                    open = false;
                    actions.append('R');
                }
                case NONE -> actions.append(e.state() == RuleState.PENDING ? 'p' : '.');
            }
        }
        return actions.toString();
    }

    private static boolean[] pattern(String s) {
        boolean[] b = new boolean[s.length()];
        for (int i = 0; i < s.length(); i++) {
            b[i] = s.charAt(i) == '1';
        }
        return b;
    }

    @Test
    void withoutFor_theFirstHoldingEvaluationFires_andTheFirstNotHoldingOneResolves() {
        assertThat(run(pattern("0011100"), Duration.ZERO)).isEqualTo("..F..R.");
    }

    @Test
    void withFor_theConditionMustHoldThatLong_aShorterBlipStaysPending() {
        assertThat(run(pattern("0110111100"), FOR_3)).isEqualTo(".pp.pppFR.");
    }

    @Test
    void afterAnIncident_theCooldownHoldsBackTheNextOne_soAFlappingMetricGivesOneIncidentPerCooldown() {
        // fires at 1, resolves at 2; holds again from 3 but may only fire from 2 + 10 = 12
        String actions = run(pattern("0101111111111110"), Duration.ZERO);
        assertThat(actions).isEqualTo(".FRpppppppppF..R");
        assertThat(actions.chars().filter(c -> c == 'F').count()).isEqualTo(2);
    }

    @Test
    void aFiringRuleKeepsWhenItStarted() {
        AlertRule.Evaluation e = AlertRule.Evaluation.initial(T0);
        Transitions.Step fire = Transitions.next(e, false, true, 5.0, at(0), Duration.ZERO, COOLDOWN);
        Transitions.Step still = Transitions.next(fire.evaluation(), true, true, 6.0, at(1), Duration.ZERO, COOLDOWN);
        assertThat(still.action()).isEqualTo(Transitions.Action.NONE);
        assertThat(still.evaluation().state()).isEqualTo(RuleState.FIRING);
        assertThat(still.evaluation().stateSince()).isEqualTo(at(0));
        assertThat(still.evaluation().lastValue()).isEqualTo(6.0);
    }

    @Test
    void aFailedQuery_saysWhy_andTheNextSuccessfulOneResolvesTheOpenIncident() {
        AlertRule.Evaluation e = Transitions.next(AlertRule.Evaluation.initial(T0), false, true, 5.0, at(0), Duration.ZERO, COOLDOWN)
                .evaluation();
        AlertRule.Evaluation failed = Transitions.failed(e, "storage is down", at(1));
        assertThat(failed.state()).isEqualTo(RuleState.ERROR);
        assertThat(failed.lastError()).isEqualTo("storage is down");
        Transitions.Step back = Transitions.next(failed, true, false, 0.0, at(2), Duration.ZERO, COOLDOWN);
        assertThat(back.action()).isEqualTo(Transitions.Action.RESOLVE_INCIDENT);
        assertThat(back.evaluation().lastError()).isNull();
        assertThat(back.evaluation().lastResolvedAt()).isEqualTo(at(2));
    }

    @Test
    void nextAfter_keepsTheRulesBeat_evenAfterMissedRounds() {
        Instant first = Instant.parse("2026-12-01T10:00:17Z");
        assertThat(AlertEngine.nextAfter(first, MINUTE, first)).isEqualTo(first.plus(MINUTE));
        assertThat(AlertEngine.nextAfter(first, MINUTE, first.plusSeconds(200))).isEqualTo(first.plusSeconds(240));
    }

    @Test
    void firstDue_spreadsRulesOverOneInterval() {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");
        java.util.Set<Long> seconds = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) {
            Instant due = AlertEngine.firstDue(java.util.UUID.randomUUID().toString(), MINUTE, now);
            assertThat(due).isBetween(now, now.plus(MINUTE));
            seconds.add(Duration.between(now, due).toSeconds());
        }
        assertThat(seconds).as("200 rules land on many different seconds of the minute").hasSizeGreaterThan(40);
    }
}
