package org.covlab.select;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Known-answer cases for Eq. 29 and the baselines, on hand-built tables. */
class SimpleTournamentTest {

    /**
     * Three checkpoints on 8 majority-class and 2 minority-class examples: "broad" gives every example
     * log-prob -1; "sharp" fits the majority (-0.1) but under-covers the minority (-4); "bad" is -3 everywhere.
     * With N = 4 (log N = 1.386): broad - sharp = 3 on the minority, broad - bad = 2 everywhere, nothing
     * out-covers broad. So the tournament picks broad, while min-CE picks sharp (CE 0.88 < 1.0): the Fig. 1 story.
     */
    static LogProbTable broadSharpBad() {
        double[][] ll = new double[3][10];
        for (int i = 0; i < 10; i++) {
            boolean minority = i >= 8;
            ll[0][i] = -1;
            ll[1][i] = minority ? -4 : -0.1;
            ll[2][i] = -3;
        }
        return new LogProbTable(List.of("broad", "sharp", "bad"), List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), ll, null);
    }

    @Test
    void tournamentPicksTheCandidateNobodyOutCovers() {
        Selection s = new SimpleTournament(4).select(broadSharpBad());
        assertThat(s.method()).isEqualTo("tournament");
        assertThat(s.chosenName()).isEqualTo("broad");
        // C[k'][k]: rows challengers, columns candidates.
        assertThat(s.winMatrix()).isDeepEqualTo(new double[][] {
            {0, 0.2, 1.0},   // broad out-covers sharp on the minority (3), bad everywhere (2)
            {0, 0, 0.8},     // sharp - bad = 2.9 on the majority, -1 on the minority
            {0, 0, 0},       // bad - sharp = 1 < log 4 on the minority; bad - broad = -2
        });
        assertThat(s.scores()).containsExactly(0, 0.2, 1.0);
    }

    @Test
    void minCrossEntropyPicksTheSharpCandidate() {
        Selection s = new MinCrossEntropy().select(broadSharpBad());
        assertThat(s.chosenName()).isEqualTo("sharp");
        assertThat(s.winMatrix()).isNull();
        assertThat(s.scores()[0]).isEqualTo(1.0);
        assertThat(s.scores()[1]).isCloseTo(0.88, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.scores()[2]).isEqualTo(3.0);
    }

    @Test
    void oraclePicksTheSmallestTrueCoverage() {
        Selection s = new OracleBestCoverage(new double[] {0.3, 0.1, 0.1}).select(broadSharpBad());
        assertThat(s.chosenName()).isEqualTo("sharp");   // tie between sharp and bad: the first
        assertThat(s.method()).isEqualTo("oracle");
        assertThatThrownBy(() -> new OracleBestCoverage(new double[] {0.1, 0.2}).select(broadSharpBad()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OracleBestCoverage(new double[] {1.5})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tiesGoToTheEarliestCandidate() {
        double[][] ll = {{-1, -2, -9}, {-5, -5, -5}, {-1, -2, -9}};
        // c0 and c2 are identical; each is out-covered by c1 on example 2 (-5 - (-9) = 4 >= log 4): score 1/3.
        // c1 is out-covered by c0 (and c2) on examples 0 and 1: score 2/3.
        Selection s = new SimpleTournament(4).select(LogProbTable.of(ll));
        assertThat(s.scores()).containsExactly(1.0 / 3, 2.0 / 3, 1.0 / 3);
        assertThat(s.chosen()).isEqualTo(0);
        double[][] swapped = {ll[1], ll[2], ll[0]};
        assertThat(new SimpleTournament(4).select(LogProbTable.of(swapped)).chosen()).isEqualTo(1);
    }

    @Test
    void aDifferenceOfExactlyLogNCounts() {
        double logN = Math.log(3);
        double[][] ll = {{0, 0}, {-logN, -logN / 2}};
        Selection s = new SimpleTournament(3).select(LogProbTable.of(ll));
        assertThat(s.winMatrix()[0][1]).isEqualTo(0.5);   // example 0 ties at log N and counts, example 1 does not
        assertThat(s.chosen()).isEqualTo(0);
    }

    @Test
    void zeroProbabilityIsOutCoveredByAnyPositiveProbability() {
        double inf = Double.NEGATIVE_INFINITY;
        double[][] ll = {{-50, -3}, {inf, -1}};   // -1 - (-3) = 2 < log 1000
        Selection s = new SimpleTournament(1000).select(LogProbTable.of(ll));
        assertThat(s.winMatrix()[0][1]).isEqualTo(0.5);
        assertThat(s.chosen()).isEqualTo(0);
        assertThat(new MinCrossEntropy().select(LogProbTable.of(ll)).scores()[1]).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void registryAndValidation() {
        assertThat(Selector.byName("tournament", 4, 0)).isEqualTo(new SimpleTournament(4));
        assertThat(Selector.byName("offset", 4, 0.1)).isEqualTo(new OffsetTournament(4, 0.1));
        assertThat(Selector.byName("min-ce", 4, 0)).isEqualTo(new MinCrossEntropy());
        assertThatThrownBy(() -> Selector.byName("oracle", 4, 0)).hasMessageContaining("OracleBestCoverage");
        assertThatThrownBy(() -> Selector.byName("best", 4, 0)).hasMessageContaining("tournament, offset, min-ce");
        assertThatThrownBy(() -> new SimpleTournament(1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OffsetTournament(4, -0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogProbTable.of(new double[][] {{-1, 0.5}})).hasMessageContaining("not a log-prob");
        assertThatThrownBy(() -> LogProbTable.of(new double[][] {{-1, Double.NaN}})).hasMessageContaining("not a log-prob");
        assertThatThrownBy(() -> new LogProbTable(List.of("a", "a"), List.of("0"), new double[][] {{-1}, {-1}}, null))
                .hasMessageContaining("duplicate candidate");
    }
}
