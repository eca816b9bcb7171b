package org.covlab.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.covlab.util.IoErrors;

/**
 * A folder of checkpoints ({@code OUT/checkpoints}): {@code step-N} folders, each complete (see {@link Checkpoint}).
 * Hidden folders ({@code .step-N.tmp} left by a run killed while writing, {@code .step-N.deleting} by one killed while
 * pruning) are never listed, and are cleared when the same step is written again.
 */
public final class Checkpoints {

    private static final Pattern STEP = Pattern.compile("step-(\\d+)");

    /** A complete checkpoint folder and its step (from the name; {@link Checkpoint#read} checks the content). */
    public record Entry(Path dir, int step) {}

    private final Path dir;
    private final CheckpointPolicy policy;

    public Checkpoints(Path dir, CheckpointPolicy policy) {
        this.dir = dir;
        this.policy = policy;
    }

    public Path dir() { return dir; }

    /** The visible step-N folders of {@code dir}, by step; empty when the folder does not exist. */
    public static List<Entry> list(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Matcher m = STEP.matcher(p.getFileName().toString());
                if (Files.isDirectory(p) && m.matches() && m.group(1).length() <= 9) out.add(new Entry(p, Integer.parseInt(m.group(1))));
            }
        } catch (IOException e) {
            throw IoErrors.unchecked("cannot list " + dir, e);
        }
        out.sort(Comparator.comparingInt(Entry::step));
        return out;
    }

    public List<Entry> list() { return list(dir); }

    /** The newest checkpoint, read and checked; empty when there is none. */
    public Optional<Checkpoint> newest() {
        List<Entry> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(Checkpoint.read(all.get(all.size() - 1).dir()));
    }

    /** Whether the policy wants a checkpoint at the trainer's current step (every N steps, and the last). */
    public boolean due(Trainer t) {
        return t.step() % policy.every() == 0 || t.step() == t.config().steps();
    }

    /** Writes the trainer's checkpoint, then prunes by the policy. */
    public Checkpoint save(Trainer t, TaskSpec task) {
        Checkpoint c = Checkpoint.write(dir.resolve(Checkpoint.folderName(t.step())), t, task);
        prune();
        return c;
    }

    /** A listener that saves whenever {@link #due}. */
    public TrainingListener saver(TaskSpec task) {
        return (t, s) -> {
            if (due(t)) save(t, task);
        };
    }

    /** Deletes the checkpoints the policy does not keep (the newest always stays). */
    public void prune() {
        List<Entry> all = list();
        for (int i = 0; i < all.size() - 1; i++) {
            Entry e = all.get(i);
            if (policy.keeps(e.step(), all.size() - 1 - i)) continue;
            try {
                CheckpointFiles.discard(e.dir());
            } catch (IOException ex) {
                throw IoErrors.unchecked("cannot delete " + e.dir(), ex);
            }
        }
    }
}
