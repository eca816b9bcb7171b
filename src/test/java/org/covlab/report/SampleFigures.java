package org.covlab.report;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Synthetic figures shaped like the experiments' (fig. 2 bands, per-method lines on a log axis, a Pass@N scatter
 * with selected checkpoints), used by the plot and report tests. Set {@code -Dcovlab.samples=DIR} to keep them.
 */
final class SampleFigures {
    private SampleFigures() {}

    static final List<String> METHODS = List.of("mle", "sgd", "normalized-sgd", "sign-sgd", "token-sgd-ttt", "distill-truncated");

    /** KL against iteration for H in {8, 16, 24}: the median over 16 seeds with its 1/16-15/16 band. */
    static Plot.Files klBands(Path dir) {
        SplittableRandom rnd = new SplittableRandom(1);
        int steps = 120;
        double[] it = new double[steps];
        for (int i = 0; i < steps; i++) it[i] = 50.0 * (i + 1);
        Plot p = Plot.titled("fig2-horizon: KL against iteration").xTitle("iteration").yTitle("sequence KL (nats)").logY();
        for (int h : new int[] {8, 16, 24}) {
            double[] mid = new double[steps];
            double[] lo = new double[steps];
            double[] hi = new double[steps];
            for (int i = 0; i < steps; i++) {
                double base = 0.05 * h + 6.0 * Math.exp(-it[i] / 900.0);
                double noise = 1 + 0.04 * (rnd.nextDouble() - 0.5);
                mid[i] = base * noise;
                lo[i] = mid[i] * 0.8;
                hi[i] = mid[i] * 1.25;
            }
            p.band("H = " + h, it, mid, lo, hi);
        }
        return p.write(dir, "kl_vs_iteration");
    }

    /** KL at convergence against H, one line per training method, log-log, with one missing point (NaN). */
    static Plot.Files klVsH(Path dir) {
        double[] hs = {8, 16, 32, 64, 128};
        Plot p = Plot.titled("linear-horizon: KL against H").xTitle("horizon H").yTitle("KL (nats)").logX().logY().colors(METHODS);
        for (int m = 0; m < METHODS.size(); m++) {
            double[] kl = new double[hs.length];
            for (int i = 0; i < hs.length; i++) kl[i] = (0.02 + 0.01 * m) * Math.pow(hs[i], m == 1 ? 1.0 : 0.6);
            if (m == 4) kl[2] = Double.NaN; // a cell that did not finish
            p.line(METHODS.get(m), hs, kl);
        }
        p.dashed("slope 1 (Prop. 3.2)", hs, new double[] {0.16, 0.32, 0.64, 1.28, 2.56});
        return p.write(dir, "kl_vs_H");
    }

    /** Pass@8 against Cov_4 over checkpoints, with the three selection methods' picks marked. */
    static Plot.Files passVsCoverage(Path dir) {
        SplittableRandom rnd = new SplittableRandom(2);
        int n = 40;
        double[] cov = new double[n];
        double[] pass = new double[n];
        for (int i = 0; i < n; i++) {
            cov[i] = 0.05 + 0.5 * rnd.nextDouble();
            pass[i] = Math.max(0, Math.min(1, 0.95 - 1.2 * cov[i] + 0.05 * (rnd.nextDouble() - 0.5)));
        }
        return Plot.titled("fig1-selection: Pass@8 against Cov_4 per checkpoint").xTitle("Cov_4 (lower is better)").yTitle("Pass@8")
                .scatter("checkpoints", cov, pass)
                .highlight("simple tournament", new double[] {cov[3]}, new double[] {pass[3]})
                .highlight("offset tournament", new double[] {cov[7]}, new double[] {pass[7]})
                .highlight("min-KL", new double[] {cov[11]}, new double[] {pass[11]})
                .write(dir, "pass_vs_cov");
    }
}
