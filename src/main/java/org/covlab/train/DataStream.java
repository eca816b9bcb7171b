package org.covlab.train;

import java.util.SplittableRandom;
import org.covlab.task.LinearTask;
import org.covlab.task.Prompt;
import org.covlab.util.Seeds;

/** The training data: i.i.d. (x, y) with x ~ mu, y ~ pi_D(.|x), from the "data" stream; the same sequence for every method. */
public final class DataStream {

    /** One training example. */
    public record Sample(int[] prompt, int[] response) { }

    private final LinearTask task;
    private final SplittableRandom rng;
    private long drawn;

    public DataStream(LinearTask task, Seeds seeds) {
        this.task = task;
        this.rng = seeds.stream("data");
    }

    public Sample next() {
        Prompt x = task.samplePrompt(rng);
        drawn++;
        return new Sample(x.tokens(), task.sampleResponse(x, rng));
    }

    /** Samples drawn so far. */
    public long drawn() { return drawn; }
}
