package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** passk on sample counts at and past 2^31: an answer in bounded time, or one line and exit code 2; never a wrapped sum. */
class PasskCountsTest {
    @TempDir Path dir;

    private CliRun passk(String k, String... lines) throws IOException {
        Path f = dir.resolve("samples.jsonl");
        Files.write(f, List.of(lines));
        return assertTimeoutPreemptively(Duration.ofSeconds(10), () -> CliRun.of("passk", "--samples", f.toString(), "--k", k, "--json"));
    }

    @Test void nAtIntegerMaxValueIsAnswered() throws IOException {
        CliRun r = passk("1", "{\"task_id\":\"t\",\"n\":2147483647,\"c\":1}");
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).contains("\"pass@1\" : 4.65661287");
    }

    @Test void countsThatAddUpPastTheLimitAreRefusedNotWrapped() throws IOException {
        String big = "9223372036854775807";
        CliRun a = passk("1", "{\"task_id\":\"t\",\"n\":1,\"c\":1}", "{\"task_id\":\"t\",\"n\":" + big + ",\"c\":" + big + "}");
        CliRun b = passk("1,5", "{\"task_id\":\"t\",\"n\":10,\"c\":1}", "{\"task_id\":\"t\",\"n\":" + big + ",\"c\":0}");
        CliRun c = passk("1", "{\"task_id\":\"t\",\"n\":5,\"c\":5}", "{\"task_id\":\"t\",\"n\":" + big + ",\"c\":0}",
                "{\"task_id\":\"t\",\"n\":" + big + ",\"c\":0}");
        CliRun d = passk("1", "{\"task_id\":\"t\",\"n\":2147483647,\"c\":0}", "{\"task_id\":\"t\",\"correct\":true}");
        for (CliRun r : List.of(a, b, c, d)) {
            assertThat(r.exit()).as(r.err()).isEqualTo(2);
            assertThat(r.out()).isEmpty();
            assertThat(r.errLines()).hasSize(1);
            assertThat(r.err()).contains(":2: field 'n': task 't' has more than 2147483647 samples in all");
        }
    }

    @Test void theLargestTotalIsAccepted() throws IOException {
        CliRun r = passk("1", "{\"task_id\":\"t\",\"n\":2147483646,\"c\":0}", "{\"task_id\":\"t\",\"correct\":true}");
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).contains("\"pass@1\" : 4.65661287");
    }
}
