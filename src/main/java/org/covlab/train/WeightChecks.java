package org.covlab.train;

import java.nio.file.Path;
import java.util.Locale;
import org.covlab.model.Gpt;
import org.covlab.model.ParameterLayout;
import org.covlab.model.Safetensors;
import org.covlab.util.InputException;

/**
 * The numbers of a checkpoint, checked where they enter and before they are written: weights and AdamW's moments
 * finite, second moments >= 0, and a model whose forward pass gives finite log-probabilities (finite weights near
 * float32's limit overflow it). A loaded checkpoint that fails is bad input (exit code 2); a trainer whose state is
 * not finite has diverged and is never written ({@link DivergedException}, exit code 3).
 */
final class WeightChecks {
    private WeightChecks() {}

    /** Tokens of the test sequence a loaded model is run on. */
    private static final int PROBE_TOKENS = 8;

    /** Passes a loaded model whose weights are finite and give finite log-probabilities; else names the tensor. */
    static void requireUsable(Path file, Gpt model) {
        ParameterLayout layout = model.layout();
        float[] w = model.parameters();
        for (ParameterLayout.Tensor t : layout.tensors()) Safetensors.requireFinite(file, t.name(), t.shape(), w, t.offset(), t.size());
        double lp = probe(model);
        if (!Double.isFinite(lp)) {
            ParameterLayout.Tensor big = largest(layout, w);
            throw InputException.at(file, 0, big.name(), String.format(Locale.ROOT, "the model's log-probabilities are %s on a test "
                    + "sequence: its weights overflow float32 (the largest |w| is %.3g, in this tensor)", lp, maxAbs(w, big)));
        }
    }

    /** The first non-finite log-probability of a test sequence, or 0 when all are finite. */
    private static double probe(Gpt model) {
        int n = Math.min(PROBE_TOKENS, model.config().ctx()), v = model.config().vocab();
        int[] tokens = new int[n], targets = new int[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = i % v;
            targets[i] = (i + 1) % v;
        }
        for (double lp : model.targetLogProbs(tokens, targets, 1, n)) if (!Double.isFinite(lp)) return lp;
        return 0;
    }

    /** Passes AdamW's moments as read: finite, and the second moments >= 0. */
    static void requireMoments(Path file, String name, Safetensors.Tensor x, boolean second) {
        Safetensors.requireFinite(file, name, x.shape(), x.data(), 0, x.data().length);
        if (!second) return;
        for (int i = 0; i < x.data().length; i++)
            if (x.data()[i] < 0) throw InputException.at(file, 0, name, "element " + i + " is " + x.data()[i] + "; a second moment is >= 0");
    }

    /**
     * Passes a trainer whose weights and optimizer state are finite and whose model gives finite log-probabilities: only
     * such a state may become a checkpoint.
     */
    static void requireFiniteState(Trainer t) {
        ParameterLayout layout = t.model().layout();
        String[] what = {"weights", "first moments", "second moments"};
        float[][] arrays = {t.model().parameters(), t.optimizer().firstMoment(), t.optimizer().secondMoment()};
        for (int a = 0; a < arrays.length; a++) {
            if (arrays[a] == null) continue;
            for (ParameterLayout.Tensor x : layout.tensors()) {
                for (int i = x.offset(); i < x.offset() + x.size(); i++) {
                    if (!Float.isFinite(arrays[a][i])) {
                        throw new DivergedException("training diverged by step " + t.step() + ": the " + what[a] + " of " + x.name()
                                + " are no longer finite (element " + (i - x.offset()) + " is " + arrays[a][i] + "); no checkpoint is "
                                + "written for this step. Lower --lr (now " + t.config().lr(Math.max(0, t.step() - 1)) + ")");
                    }
                }
            }
        }
        double lp = probe(t.model());
        if (!Double.isFinite(lp)) throw new DivergedException("training diverged by step " + t.step() + ": the weights are finite but "
                + "overflow float32 in the forward pass (a log-probability of " + lp + "); no checkpoint is written for this step. "
                + "Lower --lr (now " + t.config().lr(Math.max(0, t.step() - 1)) + ")");
    }

    private static ParameterLayout.Tensor largest(ParameterLayout layout, float[] w) {
        ParameterLayout.Tensor best = layout.tensors().get(0);
        for (ParameterLayout.Tensor t : layout.tensors()) if (maxAbs(w, t) > maxAbs(w, best)) best = t;
        return best;
    }

    private static double maxAbs(float[] w, ParameterLayout.Tensor t) {
        double m = 0;
        for (int i = t.offset(); i < t.offset() + t.size(); i++) m = Math.max(m, Math.abs(w[i]));
        return m;
    }
}
