package org.covlab.select;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Eq. 32 on hand-built tables: the on-policy term must use the samples of the minimizing candidate k. */
class OffsetTournamentTest {

    /**
     * Candidates A, B; 2 prompts, M = 2 samples each; N = 4, a = 0 (so 2 N^a = 2).
     * Data: A out-covers B on prompt 0, B out-covers A on prompt 1: C[A][B] = C[B][A] = 1/2.
     * A's samples: half have log pi_B - log pi_A = 4 (>= log 4), half -4. B's samples: A and B agree (-2, -2).
     * Right (Con on the column's samples): Con[B][A] = 1/2 and Con[A][B] = 0, so
     *   score A = max(0, 1/2 - 2 * 1/2) = 0 and score B = max(0, 1/2 - 0) = 1/2: A wins.
     * Mixed up (Con on the challenger's samples): Con[B][A] from B's samples = 0, Con[A][B] from A's = 1/2:
     *   score A = 1/2, score B = 0: B would win.
     */
    static LogProbTable twoCandidates(boolean swapSamples) {
        double[][] data = {{-1, -5}, {-5, -1}};                         // (K, n): rows A, B
        double[][] samplesOfA = {{-1, -5, -1, -5}, {-5, -1, -5, -1}};   // (K, n*M): rows scored by A, by B
        double[][] samplesOfB = {{-2, -2, -2, -2}, {-2, -2, -2, -2}};
        double[][][] s = swapSamples ? new double[][][] {samplesOfB, samplesOfA} : new double[][][] {samplesOfA, samplesOfB};
        return new LogProbTable(java.util.List.of("A", "B"), java.util.List.of("x0", "x1"), data, new OnPolicyLogProbs(2, s));
    }

    @Test
    void theOnPolicyTermUsesTheMinimizingCandidatesSamples() {
        Selection s = new OffsetTournament(4, 0).select(twoCandidates(false));
        assertThat(s.method()).isEqualTo("offset");
        assertThat(s.winMatrix()).isDeepEqualTo(new double[][] {{0, 0.5}, {-0.5, 0}});
        assertThat(s.scores()).containsExactly(0, 0.5);
        assertThat(s.chosenName()).isEqualTo("A");
        // Handing each column the other player's samples is the mix-up; on this table it flips the answer.
        Selection mixed = new OffsetTournament(4, 0).select(twoCandidates(true));
        assertThat(mixed.scores()).containsExactly(0.5, 0);
        assertThat(mixed.chosenName()).isEqualTo("B");
    }

    @Test
    void theOffsetGrowsWithNToTheA() {
        // a = 1: 2 N^a = 8, so score A = max(0, 1/2 - 8 * 1/2) = 0, unchanged; W[B][A] = 1/2 - 4 = -3.5.
        Selection s = new OffsetTournament(4, 1).select(twoCandidates(false));
        assertThat(s.winMatrix()[1][0]).isEqualTo(-3.5);
        assertThat(s.chosenName()).isEqualTo("A");
    }

    @Test
    void withoutOnPolicyDisagreementItIsTheSimpleTournament() {
        LogProbTable t = SimpleTournamentTest.broadSharpBad();
        double[][][] neutral = new double[3][3][10 * 2];   // every candidate gives every sample log-prob 0
        Selection offset = new OffsetTournament(4, 0.3).select(t.withOnPolicy(new OnPolicyLogProbs(2, neutral)));
        Selection simple = new SimpleTournament(4).select(t);
        assertThat(offset.scores()).containsExactly(simple.scores());
        assertThat(offset.winMatrix()).isDeepEqualTo(simple.winMatrix());
        assertThat(offset.chosen()).isEqualTo(simple.chosen());
    }

    @Test
    void needsOnPolicySamplesOfTheRightShape() {
        assertThatThrownBy(() -> new OffsetTournament(4, 0.1).select(SimpleTournamentTest.broadSharpBad()))
                .hasMessageContaining("on-policy");
        assertThatThrownBy(() -> SimpleTournamentTest.broadSharpBad().withOnPolicy(new OnPolicyLogProbs(2, new double[3][3][8])))
                .hasMessageContaining("n=4");
    }
}
