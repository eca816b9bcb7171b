package org.covlab.train;

import java.util.List;
import java.util.Map;

/**
 * The training methods by name, so an experiment can loop over them. Names: {@link #NAMES}. Each method's settings
 * default to the theory values of {@link TheoryDefaults}; {@code overrides} replaces any of them by key.
 */
public final class TrainingMethods {
    private TrainingMethods() {}

    public static final List<String> NAMES = List.of(Mle.NAME, SequenceSgd.NAME, NormalizedSgd.NAME, SignSgd.NAME,
            TokenSgd.NAME, DistillTruncated.NAME);

    public static TrainingMethod byName(String name) { return byName(name, Map.of()); }

    public static TrainingMethod byName(String name, Map<String, Double> overrides) {
        return switch (name) {
            case Mle.NAME -> new Mle(overrides);
            case SequenceSgd.NAME -> new SequenceSgd(overrides);
            case NormalizedSgd.NAME -> new NormalizedSgd(overrides);
            case SignSgd.NAME -> new SignSgd(overrides);
            case TokenSgd.NAME -> new TokenSgd(overrides);
            case DistillTruncated.NAME -> new DistillTruncated(overrides);
            default -> throw new IllegalArgumentException("unknown training method '" + name + "'; known: " + NAMES);
        };
    }
}
