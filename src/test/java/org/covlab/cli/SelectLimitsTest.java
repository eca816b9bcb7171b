package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** select refuses tables it cannot fill, or cannot hold, before allocating them (probe D5). */
class SelectLimitsTest {
    @TempDir Path dir;
    private static final long MB = 1 << 20;

    private BoundedRun select(String method, List<String> lines, String... extra) throws IOException {
        Path f = Files.write(dir.resolve(method + lines.size() + ".jsonl"), lines);
        List<String> args = new ArrayList<>(List.of("select", "--method", method, "--n", "4", "--logprobs", f.toString()));
        args.addAll(List.of(extra));
        if (method.equals("offset") && !args.contains("--a")) args.addAll(List.of("--a", "0.1"));
        return BoundedRun.of(Duration.ofSeconds(20), args.toArray(String[]::new));
    }

    private static List<String> validation(int candidates, int ids) {
        List<String> lines = new ArrayList<>();
        for (int c = 0; c < candidates; c++)
            for (int i = 0; i < ids; i++) lines.add("{\"candidate\":\"c" + c + "\",\"id\":\"x" + i + "\",\"logp\":-1}");
        return lines;
    }

    @Test void aSparseDiagonalIsAMissingCellNotATwentyThousandSquaredTable() throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) lines.add("{\"candidate\":\"c" + i + "\",\"id\":\"x" + i + "\",\"logp\":-1}");
        String err = select("tournament", lines).allocatedAtMost(200 * MB).refusal();
        assertThat(err).endsWith(": field 'logp': no line for candidate 'c0', id 'x1'");
    }

    @Test void oneOnPolicyLineWithAHugeSampleNumberIsAMissingCell() throws IOException {
        for (int ids : new int[] {200, 3000}) {      // 3000 ids x 10^6 samples overflowed an int (NegativeArraySizeException)
            List<String> lines = validation(2, ids);
            lines.add("{\"candidate\":\"c0\",\"id\":\"x0\",\"sample_of\":\"c1\",\"sample\":1000000,\"logp\":-2}");
            for (String method : List.of("tournament", "offset")) {
                String err = select(method, lines).allocatedAtMost(100 * MB).refusal();
                assertThat(err).endsWith(": field 'logp': no on-policy line for candidate 'c0', id 'x0', sample_of 'c0', sample 0 "
                        + "(samples are numbered 0..1000000 for every candidate and id)");
            }
        }
    }

    @Test void aDuplicateIsStillNamedWhenCellsAreMissing() throws IOException {
        List<String> lines = validation(1, 3);
        lines.add("{\"candidate\":\"c1\",\"id\":\"x0\",\"logp\":-1}");
        lines.add("{\"candidate\":\"c1\",\"id\":\"x0\",\"logp\":-1}");
        assertThat(select("tournament", lines).refusal()).endsWith(":5: field 'id': duplicate of line 4 (same candidate and id)");
        List<String> onPolicy = validation(1, 2);
        onPolicy.add("{\"candidate\":\"c0\",\"id\":\"x0\",\"sample_of\":\"c0\",\"sample\":5,\"logp\":-2}");
        onPolicy.add("{\"candidate\":\"c0\",\"id\":\"x0\",\"sample_of\":\"c0\",\"sample\":5,\"logp\":-2}");
        assertThat(select("offset", onPolicy).refusal()).endsWith(":4: field 'sample': duplicate of line 3 (same candidate, id, sample_of and sample)");
    }

    @Test void aValidFileWhoseWinMatrixCannotFitIsRefusedBeforeItIsMade() throws IOException {
        String err = select("tournament", validation(40_000, 1)).allocatedAtMost(300 * MB).refusal();
        assertThat(err).startsWith("covlab: select: 40000 candidates (40000 x 40000 win matrices) needs 23.8 GiB, more than the Java heap (")
                .contains("use fewer candidates");
    }

    @Test void anOffsetBeyondTheDoubleRangeIsRefused() throws IOException {
        List<String> lines = validation(2, 2);
        for (int f = 0; f < 2; f++)
            for (int c = 0; c < 2; c++)
                for (int i = 0; i < 2; i++)
                    lines.add("{\"candidate\":\"c" + c + "\",\"id\":\"x" + i + "\",\"sample_of\":\"c" + f + "\",\"sample\":0,\"logp\":-1}");
        assertThat(select("offset", lines, "--a", "600", "--json").refusal())
                .isEqualTo("covlab: --a: the offset 2 N^a = 2 * 4.0^600.0 is beyond the double range; use a smaller --a or --n");
        CliRun ok = select("offset", lines, "--json").run();
        assertThat(ok.exit()).as(ok.err()).isEqualTo(0);
    }
}
