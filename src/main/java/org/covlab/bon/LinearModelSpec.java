package org.covlab.bon;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.covlab.model.AutoregressiveModel;
import org.covlab.report.TextTable;
import org.covlab.task.LinearInstance;
import org.covlab.task.LinearInstances;
import org.covlab.train.EvalCallback;
import org.covlab.train.Mle;
import org.covlab.train.TrainingPlan;
import org.covlab.util.InputException;
import org.covlab.util.Seeds;

/**
 * {@code --model linear:INSTANCE[:key=value,...]}: a linear instance of {@link LinearInstances} (its task: mu, pi_D,
 * verifier) and the model Best-of-N draws from.
 *
 * <p>The model is the MLE (Eq. 2) fitted on n samples from pi_D: the pre-trained model of the paper, whose coverage
 * Thm 4.1 bounds. A small n makes Best-of-N interesting: on {@code bernoulli} (section 2.1's case study) an MLE that
 * saw few rare tokens puts little mass on them and needs many draws, which is exactly what coverage measures. n = 0
 * takes pi_hat = pi_D itself, the best a pre-trained model can be.
 *
 * @param instance the instance name as {@link LinearInstances#NAMES} spells it
 * @param params   its parameter overrides, e.g. {p=0.02}
 */
public record LinearModelSpec(String instance, Map<String, Double> params) {

    public static final String PREFIX = "linear";

    public LinearModelSpec {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /** Parses "linear:INSTANCE[:key=value,...]"; a malformed spec is an {@link InputException} naming --model. */
    public static LinearModelSpec parse(String spec) {
        String[] parts = spec.split(":", 3);
        if (parts.length < 2 || !parts[0].equals(PREFIX) || parts[1].isBlank())
            throw new InputException("--model: expected linear:INSTANCE[:key=value,...], got '" + spec + "'; instances: "
                    + String.join(", ", LinearInstances.NAMES));
        String name = LinearInstances.NAMES.stream().filter(n -> n.equalsIgnoreCase(parts[1])).findFirst().orElseThrow(() ->
                new InputException("--model: unknown linear instance '" + parts[1] + "'; choose one of " + String.join(", ", LinearInstances.NAMES)));
        Map<String, Double> params = new LinkedHashMap<>();
        if (parts.length == 3) {
            for (String kv : parts[2].split(",")) {
                String[] p = kv.split("=", 2);
                if (p.length != 2 || p[0].isBlank())
                    throw new InputException("--model: parameter '" + kv + "' of " + name + " is not key=value");
                try {
                    params.put(p[0].trim(), Double.parseDouble(p[1].trim()));
                } catch (NumberFormatException e) {
                    throw new InputException("--model: parameter " + p[0].trim() + " of " + name + " must be a number, got '" + p[1] + "'");
                }
            }
        }
        return new LinearModelSpec(name, params);
    }

    /** The instance at horizon H; bad parameters are an {@link InputException}. */
    public LinearInstance instance(int H) {
        try {
            return LinearInstances.byName(instance, H, params);
        } catch (IllegalArgumentException e) {
            throw new InputException("--model: " + e.getMessage());
        }
    }

    /** The MLE on {@code trainSamples} samples from pi_D (stream "data" of {@code seeds}), or pi_D itself when 0. */
    public static AutoregressiveModel model(LinearInstance in, int trainSamples, Seeds seeds) {
        if (trainSamples < 0) throw new InputException("--train-samples: must be >= 0, got " + trainSamples);
        if (trainSamples == 0) return in.dataModel();
        return new Mle(Map.of()).train(in, TrainingPlan.of(trainSamples), seeds, EvalCallback.NONE);
    }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder(PREFIX).append(':').append(instance);
        String sep = ":";
        for (var e : params.entrySet()) {
            sb.append(sep).append(e.getKey()).append('=').append(TextTable.number(e.getValue()));
            sep = ",";
        }
        return sb.toString();
    }
}
