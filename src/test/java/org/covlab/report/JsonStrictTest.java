package org.covlab.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.covlab.util.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** covlab's own JSON files are read strictly, and their errors are in a user's words (probe: "layers": 2.5 became 2). */
class JsonStrictTest {
    @TempDir Path tmp;

    enum Kind { A, B }

    record Inner(int n, double x, boolean flag, Kind kind) {}

    record Outer(long seed, Inner inner, List<Integer> sizes) {}

    private String error(String json) throws IOException {
        Path f = Files.writeString(tmp.resolve("f.json"), json);
        try {
            Json.readFile(f, Outer.class);
        } catch (InputException e) {
            return e.getMessage().replace(f.toString(), "F");
        }
        throw new AssertionError("accepted: " + json);
    }

    @Test void coercionsAreErrorsInPlainWords() throws IOException {
        String ok = "{\"seed\": 1, \"inner\": {\"n\": 2, \"x\": 0.5, \"flag\": true, \"kind\": \"A\"}, \"sizes\": [1]}";
        assertThat(Json.readFile(Files.writeString(tmp.resolve("ok.json"), ok), Outer.class).inner().n()).isEqualTo(2);
        assertThat(error(ok.replace("\"n\": 2", "\"n\": 2.5"))).isEqualTo("F:1: field 'inner.n': must be an integer, got number 2.5");
        assertThat(error(ok.replace("\"n\": 2", "\"n\": \"2\""))).isEqualTo("F:1: field 'inner.n': must be an integer, got string \"2\"");
        assertThat(error(ok.replace("\"n\": 2", "\"n\": 99999999999"))).isEqualTo("F:1: field 'inner.n': is out of range: 99999999999 does not fit 32 bits");
        assertThat(error(ok.replace("\"seed\": 1", "\"seed\": 1e3"))).isEqualTo("F:1: field 'seed': must be an integer, got number 1e3");
        assertThat(error(ok.replace("\"x\": 0.5", "\"x\": \"0.5\""))).isEqualTo("F:1: field 'inner.x': must be a number, got string \"0.5\"");
        assertThat(error(ok.replace("\"flag\": true", "\"flag\": 1"))).isEqualTo("F:1: field 'inner.flag': must be true or false, got number 1");
        assertThat(error(ok.replace("\"kind\": \"A\"", "\"kind\": 0"))).isEqualTo("F:1: field 'inner.kind': must be one of [A, B], got number 0");
        assertThat(error(ok.replace("\"kind\": \"A\"", "\"kind\": \"C\""))).isEqualTo("F:1: field 'inner.kind': must be one of [A, B], got string \"C\"");
        assertThat(error(ok.replace("\"n\": 2", "\"n\": 2, \"n\": 3"))).isEqualTo("F:1: field 'inner': Duplicate field 'n'");
        assertThat(error(ok.replace("\"n\": 2", "\"n\": 2, \"m\": 3"))).startsWith("F:1: field 'inner.m': unknown field 'm' (known: ");
        assertThat(error(ok.replace("\"inner\": {", "\"inner\": [{").replace("}, \"sizes\"", "}], \"sizes\""))).isEqualTo("F:1: field 'inner': must be an object, got array");
        assertThat(error("[1]")).isEqualTo("F:1: must be an object, got array");
    }

    @Test void differencesListsEveryField() {
        var a = Json.toTree(new Outer(1, new Inner(2, 0.5, true, Kind.A), List.of(1)));
        var b = Json.toTree(new Outer(2, new Inner(3, 0.5, true, Kind.B), List.of(1)));
        assertThat(Json.differences(a, b)).extracting(Json.Difference::path).containsExactly("seed", "inner.n", "inner.kind");
        assertThat(Json.differences(a, a)).isEmpty();
    }

    @Test void badInputNeverThrowsSomethingElse() {
        assertThatThrownBy(() -> Json.readFile(Files.writeString(tmp.resolve("g.json"), "{\"seed\": "), Outer.class))
                .isInstanceOf(InputException.class).message().doesNotContain("`", "org.covlab", "java.");
    }
}
