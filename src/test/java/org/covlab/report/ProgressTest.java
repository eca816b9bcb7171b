package org.covlab.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.covlab.report.Progress.Mode;
import org.junit.jupiter.api.Test;

class ProgressTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void plainModePrintsARareLineAndAFinalOneWithoutCarriageReturns() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong(0);
        try (Progress p = Progress.plain("fig2 H=16", 1000, 0, new PrintStream(buf, true, StandardCharsets.UTF_8), now::get, 10 * SECOND)) {
            for (int i = 0; i < 1000; i++) {
                now.addAndGet(SECOND / 20); // 50 s in all
                p.extra("loss " + (1000 - i)).step();
            }
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertThat(text).doesNotContain("\r");
        List<String> lines = text.lines().toList();
        assertThat(lines).hasSize(4 + 1); // one per 10 s of 50 s, the last replaced by the final line
        assertThat(lines.get(0)).isEqualTo("[fig2 H=16] 200/1000 (20%)  elapsed 0:10  ETA 0:40  loss 801");
        assertThat(lines.get(4)).isEqualTo("[fig2 H=16] done 1000/1000 (100%) in 0:50  loss 1");
    }

    @Test
    void aResumedRunsEtaCountsOnlyTheStepsSinceTheResume() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong(0);
        try (Progress p = Progress.plain("pre-train", 1000, 600, new PrintStream(buf, true, StandardCharsets.UTF_8), now::get, 10 * SECOND)) {
            for (int i = 600; i < 1000; i++) {
                now.addAndGet(SECOND / 10); // 40 s for the last 400 steps
                p.step();
            }
        }
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.get(0)).isEqualTo("[pre-train] 700/1000 (70%)  elapsed 0:10  ETA 0:30");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("[pre-train] done 1000/1000 (100%) in 0:40");
    }

    @Test
    void unknownTotalsShowCountsOnlyAndShortTasksPrintOneLine() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong(0);
        Progress p = Progress.plain("scan", 0, 0, new PrintStream(buf, true, StandardCharsets.UTF_8), now::get, 10 * SECOND);
        p.stepBy(41);
        now.set(3 * SECOND);
        p.step();
        p.close();
        p.close(); // idempotent
        assertThat(buf.toString(StandardCharsets.UTF_8)).isEqualTo("[scan] done 42 in 0:03" + System.lineSeparator());
    }

    @Test
    void theBarIsOnlyForAnInteractiveTerminal() {
        Map<String, String> term = Map.of("TERM", "xterm-256color");
        assertThat(Progress.mode(term, Optional.of("/dev/pts/3"))).isEqualTo(Mode.BAR);
        assertThat(Progress.mode(term, Optional.of("pipe:[81234]"))).isEqualTo(Mode.PLAIN);
        assertThat(Progress.mode(term, Optional.of("/work/run.log"))).isEqualTo(Mode.PLAIN);
        assertThat(Progress.mode(Map.of("TERM", "xterm", "CI", "true"), Optional.of("/dev/pts/3"))).isEqualTo(Mode.PLAIN);
        assertThat(Progress.mode(Map.of("TERM", "dumb"), Optional.of("/dev/pts/3"))).isEqualTo(Mode.PLAIN);
        assertThat(Progress.mode(Map.of(), Optional.of("/dev/pts/3"))).isEqualTo(Mode.PLAIN);
        assertThat(Progress.mode(Map.of("COVLAB_PROGRESS", "bar"), Optional.of("pipe:[1]"))).isEqualTo(Mode.BAR);
        assertThat(Progress.mode(Map.of("COVLAB_PROGRESS", "none", "TERM", "xterm"), Optional.of("/dev/pts/1"))).isEqualTo(Mode.NONE);
    }

    @Test
    void clockTimes() {
        assertThat(Progress.clockTime(7.4)).isEqualTo("0:07");
        assertThat(Progress.clockTime(754)).isEqualTo("12:34");
        assertThat(Progress.clockTime(3723)).isEqualTo("1:02:03");
    }
}
