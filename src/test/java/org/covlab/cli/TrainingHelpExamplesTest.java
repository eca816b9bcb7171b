package org.covlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples at the end of {@code train}, {@code eval}, {@code coverage}, {@code task support} and {@code sample}
 * help, and the checkpoint examples of {@code bon} and {@code select}, run in that order as a new user would type them (runs/ moved into a temp folder;
 * the paper-scale examples, marked by 40000 steps or 1024 prompts, are left out).
 */
class TrainingHelpExamplesTest {

    @TempDir Path dir;

    @Test void examplesRunInOrder() {
        int ran = 0;
        for (String command : new String[] {"train", "eval", "coverage", "task support", "sample", "bon", "select"}) {
            CliRun help = CliRun.of((command + " --help").split(" "));
            assertThat(help.exit()).isEqualTo(0);
            assertThat(help.err()).as("picocli format warnings").isEmpty();
            for (List<String> args : examples(help.out(), command)) {
                if (args.contains("40000") || args.contains("1024")) continue;
                if ((command.equals("bon") || command.equals("select")) && args.stream().noneMatch(a -> a.startsWith("--checkpoint"))) continue;
                CliRun r = CliRun.of(args.toArray(new String[0]));
                assertThat(r.exit()).as(String.join(" ", args) + "\n" + r.err()).isEqualTo(0);
                ran++;
            }
        }
        System.out.println(ran + " help examples ran");
        assertThat(ran).isGreaterThanOrEqualTo(15);
    }

    /** "  ./covlab CMD ..." lines (joined across trailing backslashes, comments cut), with runs/ under the temp folder. */
    private List<List<String>> examples(String help, String command) {
        List<List<String>> out = new ArrayList<>();
        String[] lines = help.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].startsWith("  ./covlab " + command + " ")) continue;
            StringBuilder sb = new StringBuilder(lines[i].strip());
            while (sb.toString().endsWith("\\")) {
                sb.setLength(sb.length() - 1);
                sb.append(' ').append(lines[++i].strip());
            }
            String text = sb.toString();
            if (text.contains("#")) text = text.substring(0, text.indexOf('#'));
            List<String> args = new ArrayList<>(Arrays.asList(text.strip().split("\\s+")));
            args.remove(0);                                            // ./covlab
            args.replaceAll(a -> a.startsWith("runs/") ? dir.resolve(a).toString() : a);
            out.add(args);
        }
        assertThat(out).as(command + " examples").isNotEmpty();
        return out;
    }
}
