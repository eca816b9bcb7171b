package org.covlab.model;

import org.covlab.tensor.Parallel;

/** The PyTorch fixture and seeded random models, for tests in other packages. */
public final class FixtureAccess {
    private FixtureAccess() {}

    public static Safetensors.Contents fixture() {
        return GptTorchFixtureTest.fixture();
    }

    public static Gpt model(Safetensors.Contents f) {
        return GptTorchFixtureTest.model(f, Parallel.SERIAL);
    }

    /** A GPT with N(0, std) weights and LayerNorm weights around 1 ({@code GptGradientTest.randomModel}). */
    public static Gpt randomModel(GptConfig cfg, Parallel pool, long seed, double std) {
        return GptGradientTest.randomModel(cfg, pool, seed, std);
    }
}
