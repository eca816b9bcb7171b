package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import org.covlab.experiment.CellFailedException;
import org.covlab.train.DivergedException;
import org.covlab.util.InputException;
import org.covlab.util.IoErrors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What ends a command, and its exit code: 2 bad input or file system, 3 diverged, 1 a bug; always one line. */
class ExitCodesTest {

    private static String[] report(Throwable t, int expectedCode) {
        StringWriter s = new StringWriter();
        assertThat(Main.report(t, new PrintWriter(s))).as(s.toString()).isEqualTo(expectedCode);
        return s.toString().lines().toArray(String[]::new);
    }

    @Test void eachKindOfEndHasItsCode() {
        assertThat(report(new InputException("f.jsonl:3: field 'n': bad"), 2)).containsExactly("covlab: f.jsonl:3: field 'n': bad");
        assertThat(report(new CommandLine.ExecutionException(new CommandLine(new Main()), "wrapped", new InputException("x")), 2))
                .containsExactly("covlab: x");
        assertThat(report(IoErrors.unchecked("cannot create run folder /x", new AccessDeniedException("/x")), 2))
                .containsExactly("covlab: cannot create run folder /x: permission denied");
        assertThat(report(new UncheckedIOException("cannot write /y", new IOException("No space left on device")), 2)).hasSize(1);
        assertThat(report(new DivergedException("training diverged at step 3: the loss is NaN"), 3))
                .containsExactly("covlab: training diverged at step 3: the loss is NaN");
        assertThat(report(new CellFailedException("fig2-horizon: cell H8_s0 failed on Spark local[2] after 1 attempt: oops", false), 4))
                .containsExactly("covlab: fig2-horizon: cell H8_s0 failed on Spark local[2] after 1 attempt: oops");
        assertThat(report(new CellFailedException("cell H8_s0 failed after 4 attempts: training diverged at step 3", true), 3)).hasSize(1);
        assertThat(report(new IllegalStateException("oops"), 1))
                .containsExactly("covlab: bug: IllegalStateException: oops (set COVLAB_DEBUG=1 for the stack trace)");
    }
}
