package org.covlab.train;

import java.util.List;
import java.util.Map;
import org.covlab.model.LinearSoftmaxModel;
import org.covlab.model.LogSpace;
import org.covlab.task.LinearInstance;
import org.covlab.train.DataStream.Sample;

/**
 * Distillation with the truncated token-level gradient, Eqs. 24-26 (section 3.4). For a teacher sample (x, y) ~ pi_D,
 * with per-token KLs eps_h = KL(pi_D(.|x,y_{<h}) || pi_theta(.|x,y_{<h})) from the teacher's next-token laws and
 * S_h = Σ_{j<=h} eps_j: alpha_h = 1 while S_h <= A, 0 once S_{h-1} > A, and (A - S_{h-1})/eps_h for the token that
 * crosses A = log N; then {@code theta <- Proj_Theta(theta + eta Σ_h alpha_h ∇ log pi_theta(y_h | x, y_{<h}))} with
 * alpha held constant (stop-gradient). Σ_h alpha_h eps_h = min{A, Σ_h eps_h}, the stopped KL of Prop. D.10.
 * Thm 6.2: Cov_N ≲ sqrt(sigma*^2/(T log N)) + B^2/T. Settings: "N", "eta" ({@link TheoryDefaults#distillEta}).
 */
public final class DistillTruncated extends OnlineMethod {
    public static final String NAME = "distill-truncated";

    public DistillTruncated(Map<String, Double> overrides) { super(NAME, List.of("N", "eta"), overrides); }

    @Override void configure(Settings s, LinearInstance in, TrainingPlan plan) {
        double logN = Math.log(s.resolve("N", TheoryDefaults.TARGET_N));
        s.resolve("eta", TheoryDefaults.distillEta(in.B(), in.sigmaStarSq(), plan.samples(), logN));
    }

    @Override void update(Map<String, Double> s, LinearInstance in, LinearSoftmaxModel model, List<Sample> batch, double[] theta) {
        double eta = s.get("eta"), A = Math.log(s.get("N"));
        for (Sample z : batch) {
            double[] g = truncatedGradient(in.dataModel(), model, z.prompt(), z.response(), A);
            for (int j = 0; j < theta.length; j++) theta[j] += eta * g[j] / batch.size();
        }
        in.theta().project(theta);
    }

    /** The weights of Eq. 25 for per-token KLs eps (all >= 0) and budget A > 0. // (H) */
    public static double[] alphas(double[] eps, double A) {
        double[] alpha = new double[eps.length];
        double before = 0; // S_{h-1}
        for (int h = 0; h < eps.length; h++) {
            double after = before + eps[h];
            alpha[h] = after <= A ? 1 : before > A ? 0 : (A - before) / eps[h];
            before = after;
        }
        return alpha;
    }

    /** eps_h = KL(teacher(.|x,y_{<h}) || student(.|x,y_{<h})) along y; teacher and student share a feature map. // (H) */
    public static double[] tokenKls(LinearSoftmaxModel teacher, LinearSoftmaxModel student, int[] prompt, int[] y) {
        double[] eps = new double[y.length];
        for (int h = 0; h < y.length; h++) {
            double[][] f = student.candidateFeatures(prompt, y, h);
            eps[h] = LogSpace.kl(teacher.logProbs(f), student.logProbs(f));
        }
        return eps;
    }

    /** ĝ = Σ_h alpha_h ∇ log pi_theta(y_h | x, y_{<h}) at the student's theta, alpha from {@link #alphas} (Eq. 26). // (d) */
    public static double[] truncatedGradient(LinearSoftmaxModel teacher, LinearSoftmaxModel student, int[] prompt, int[] y, double A) {
        double[] alpha = alphas(tokenKls(teacher, student, prompt, y), A);
        double[] g = new double[student.dim()];
        for (int h = 0; h < y.length; h++) if (alpha[h] > 0) student.addTokenGradient(prompt, y, h, y[h], alpha[h], g);
        return g;
    }
}
