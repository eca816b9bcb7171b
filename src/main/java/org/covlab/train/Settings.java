package org.covlab.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A method's hyperparameters: overrides checked against the known keys, then defaults filled in order. */
final class Settings {
    private final Map<String, Double> overrides;
    private final Map<String, Double> resolved = new LinkedHashMap<>();

    Settings(String method, List<String> keys, Map<String, Double> overrides) {
        for (String k : overrides.keySet()) {
            if (!keys.contains(k)) throw new IllegalArgumentException(method + " has no setting '" + k + "'; known: " + keys);
            double v = overrides.get(k);
            if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException(method + ": setting " + k + " must be finite and > 0");
        }
        this.overrides = Map.copyOf(overrides);
    }

    /** The override for {@code key} if given, else {@code dflt}; recorded in {@link #map()}. */
    double resolve(String key, double dflt) {
        double v = overrides.getOrDefault(key, dflt);
        resolved.put(key, v);
        return v;
    }

    Map<String, Double> map() { return new LinkedHashMap<>(resolved); }
}
