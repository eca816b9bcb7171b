package org.covlab.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.covlab.model.AutoregressiveModel;
import org.covlab.report.CsvTable;
import org.covlab.report.RunFolder;
import org.covlab.task.LinearInstance;
import org.covlab.train.DataStream;
import org.covlab.train.TrainingMethods;
import org.covlab.train.TrainingPlan;
import org.covlab.util.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TournamentVsMleTest {

    /** Classes of 9 members each (4.1(a): d = 3, 3 levels; 4.1(b): d = 3), two n, two N, two seeds. */
    static TournamentVsMle.Settings tiny() {
        return new TournamentVsMle.Settings(List.of("prop4.1a", "prop4.1b"), List.of(8, 32), List.of(16.0, 64.0), 0.1, 2, 3, 3, 3, 2, 2);
    }

    @Test void metricsCsvHasTheIssuesColumnsAndOneRowPerInstanceMethodNNSeed(@TempDir Path tmp) {
        RunFolder run = RunFolder.open(TournamentVsMle.NAME, 4, tmp.resolve("run"), false);
        CsvTable metrics = TournamentVsMle.run(tiny(), run);
        assertThat(CsvTable.read(run.dir().resolve("metrics.csv")).header()).startsWith("instance", "method", "n", "N", "seed", "coverage");
        Set<String> keys = new HashSet<>();
        for (CsvTable.Row r : metrics.rows()) {
            assertThat(keys.add(r.get("instance") + "|" + r.get("method") + "|" + r.get("n") + "|" + r.get("N") + "|" + r.get("seed"))).isTrue();
            assertThat(TournamentVsMle.METHODS).contains(r.get("method"));
            assertThat(r.number("coverage")).isBetween(0.0, 1.0);
            assertThat(r.number("class_size")).isEqualTo(9);
            assertThat(r.number("level")).isCloseTo(Math.pow(r.number("N"), 1.1), org.assertj.core.data.Offset.offset(1e-9));
        }
        assertThat(metrics.rowCount()).isEqualTo(2 * 4 * 2 * 2 * 2);
    }

    /**
     * Known answers: each row's coverage is the exact Cov_{N^(1+a)} of the member it names; the best in class has the
     * least of them (0 on Prop. 4.1(b), where pi_D is member 0); the MLE's member is the one train.Mle picks on the
     * same samples (its finite-class argmax), an independent implementation of the likelihood.
     */
    @Test void everyChoiceIsAMemberWithItsExactCoverageAndTheMleMatchesTrainMle(@TempDir Path tmp) {
        TournamentVsMle.Settings s = tiny();
        CsvTable metrics = TournamentVsMle.run(s, RunFolder.open(TournamentVsMle.NAME, 4, tmp.resolve("run"), false));
        Map<String, Double> best = new HashMap<>();
        for (CsvTable.Row r : metrics.rows())
            if (r.get("method").equals(TournamentVsMle.BEST)) best.put(r.get("instance") + r.get("n") + r.get("N") + r.get("seed"), r.number("coverage"));
        int mleChecked = 0;
        double worst = 0;
        for (CsvTable.Row r : metrics.rows()) {
            int n = (int) r.integer("n"), member = (int) r.integer("member"), seed = (int) r.integer("seed");
            double N = r.number("N");
            TournamentVsMle.FiniteClass pi = TournamentVsMle.finiteClass(s, r.get("instance"), n, N);
            assertThat(r.number("coverage")).isEqualTo(pi.coverage(r.number("level"))[member]);
            assertThat(r.number("coverage")).isGreaterThanOrEqualTo(best.get(r.get("instance") + r.get("n") + r.get("N") + r.get("seed")));
            if (r.get("instance").equals("prop4.1b") && r.get("method").equals(TournamentVsMle.BEST)) {
                assertThat(r.number("coverage")).isZero();
                assertThat(member).isZero();
            }
            if (r.get("instance").equals("prop4.1b") && r.get("method").equals(TournamentVsMle.MLE)) {
                LinearInstance in = pi.instance(); // Theta is the finite class itself: train.Mle takes the argmax over it
                Seeds seeds = new Seeds(4).child("prop4.1b/n" + n + "/seed" + seed);
                AutoregressiveModel mle = TrainingMethods.byName("mle").train(in, TrainingPlan.of(n), seeds, (t, m) -> { });
                // Members that differ only on an unseen prompt tie, and each rule breaks ties its own way: compare likelihoods.
                DataStream data = new DataStream(in.task(), seeds);
                double mine = 0, theirs = 0;
                for (int i = 0; i < n; i++) {
                    DataStream.Sample z = data.next();
                    mine += pi.model(member).sequenceLogProb(z.prompt(), z.response());
                    theirs += mle.sequenceLogProb(z.prompt(), z.response());
                }
                worst = Math.max(worst, Math.abs(mine - theirs));
                mleChecked++;
            }
        }
        assertThat(mleChecked).isEqualTo(8);
        System.out.printf("min-CE over Pi vs train.Mle: max |log-likelihood difference| = %.2e%n", worst);
        assertThat(worst).isLessThan(1e-9);
    }

    @Test void sameSeedGivesIdenticalResultsAndResumeRecomputesOnlyMissingCells(@TempDir Path tmp) throws Exception {
        ExperimentRun.Outcome first = TournamentVsMleRun.run(tiny(), true, 7, tmp.resolve("a"), false);
        TournamentVsMle.run(tiny(), RunFolder.open(TournamentVsMle.NAME, 7, tmp.resolve("b"), false));
        String a = Files.readString(first.dir().resolve("metrics.csv"));
        assertThat(Files.readString(tmp.resolve("b/metrics.csv"))).isEqualTo(a);
        assertThat(first.dir().resolve("report.html")).exists();
        assertThat(first.dir().resolve("coverage_vs_n_prop4.1b_N16.png")).exists();
        assertThat(first.section().claims()).hasSize(4);

        ResumeCheck.interruptAndResume(first.dir(), () ->
                TournamentVsMle.run(tiny(), RunFolder.open(TournamentVsMle.NAME, 7, first.dir(), true)));
    }

    @Test void theGridClassOfProp41aLiesOnTheFaceThetaZeroEqualsOneAndCoversPiD() {
        TournamentVsMle.Settings s = tiny();
        TournamentVsMle.FiniteClass pi = TournamentVsMle.finiteClass(s, "prop4.1a", 32, 16);
        assertThat(pi.size()).isEqualTo(9);
        Set<String> distinct = new HashSet<>();
        for (double[] m : pi.members()) {
            assertThat(m[0]).isEqualTo(1.0);
            assertThat(pi.instance().theta().contains(m, 0)).isTrue();
            distinct.add(java.util.Arrays.toString(m));
        }
        assertThat(distinct).hasSize(9);
        // the member with every rare coordinate at 0 is within log(1.25)+ of pi_D: Cov at 16^0.1 > 1.25 is 0
        assertThat(java.util.Arrays.stream(pi.coverage(Math.pow(16, 0.1))).min().orElseThrow()).isZero();
    }

    @Test void shuffledIsAPermutation() {
        int[] p = TournamentVsMle.shuffled(50, new java.util.SplittableRandom(3));
        assertThat(java.util.Arrays.stream(p).sorted().toArray()).isEqualTo(java.util.stream.IntStream.range(0, 50).toArray());
        assertThat(p).isNotEqualTo(java.util.stream.IntStream.range(0, 50).toArray());
    }
}
