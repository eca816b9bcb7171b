package org.covlab.model;

import org.covlab.tensor.Parallel;

/** The PyTorch fixture for tests in other packages. */
public final class FixtureAccess {
    private FixtureAccess() {}

    public static Safetensors.Contents fixture() {
        return GptTorchFixtureTest.fixture();
    }

    public static Gpt model(Safetensors.Contents f) {
        return GptTorchFixtureTest.model(f, Parallel.SERIAL);
    }
}
