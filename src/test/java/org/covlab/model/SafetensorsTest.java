package org.covlab.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.covlab.tensor.Parallel;
import org.covlab.util.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trips, a file written by PyTorch's side, and every way a file can be broken. */
class SafetensorsTest {

    @TempDir Path dir;

    private Gpt randomGpt() {
        Gpt m = new Gpt(new GptConfig(9, 5, 2, 2, 8), Parallel.SERIAL);
        m.initialize(new SplittableRandom(4));
        return m;
    }

    @Test void roundTripIsBitExactWithStateDictNamesAndMetadata() throws IOException {
        Gpt m = randomGpt();
        Path file = dir.resolve("model.safetensors");
        Safetensors.write(file, m.layout(), m.parameters(), Map.of("step", "12"));
        float[] back = new float[m.parameters().length];
        Map<String, String> meta = Safetensors.read(file, m.layout(), back);
        assertThat(back).containsExactly(m.parameters());
        assertThat(meta).containsEntry("step", "12");
        Safetensors.Contents c = Safetensors.read(file);
        assertThat(c.tensors().keySet()).containsExactlyElementsOf(m.layout().tensors().stream().map(ParameterLayout.Tensor::name).toList());
        assertThat(c.tensors().get("blocks.1.fc.weight").shape()).containsExactly(32, 8);
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLength % 8).isZero();
    }

    @Test void equalContentsGiveEqualFilesWhateverTheMetadataMapsOrder() throws IOException {
        Gpt m = randomGpt();
        Map<String, String> forward = new java.util.LinkedHashMap<>(), backward = new java.util.LinkedHashMap<>();
        for (String k : new String[] {"a", "layers", "step", "vocab", "z"}) forward.put(k, k + "!");
        List<String> keys = new java.util.ArrayList<>(forward.keySet());
        java.util.Collections.reverse(keys);
        for (String k : keys) backward.put(k, k + "!");
        Path one = dir.resolve("one.safetensors"), two = dir.resolve("two.safetensors");
        Safetensors.write(one, m.layout(), m.parameters(), forward);
        Safetensors.write(two, m.layout(), m.parameters(), backward);
        assertThat(Files.readAllBytes(two)).isEqualTo(Files.readAllBytes(one));
    }

    @Test void readsTheFileThatPythonWrote() {
        Safetensors.Contents f = GptTorchFixtureTest.fixture();
        assertThat(f.metadata()).containsEntry("made_by", "scripts/make_torch_fixture.py");
        assertThat(f.tensors().get("output.logits").shape()).containsExactly(2, 40, 11);
        assertThat(f.tensors().get("tok.weight").shape()).containsExactly(11, 16);
    }

    @Test void truncatedFilesAreRejectedAtEveryLength() throws IOException {
        Gpt m = randomGpt();
        Path good = dir.resolve("good.safetensors");
        Safetensors.write(good, m.layout(), m.parameters(), Map.of());
        byte[] bytes = Files.readAllBytes(good);
        for (int len : new int[] {0, 3, 8, 20, bytes.length / 2, bytes.length - 4, bytes.length - 1}) {
            Path bad = dir.resolve("cut" + len);
            Files.write(bad, Arrays.copyOf(bytes, len));
            assertThatThrownBy(() -> Safetensors.read(bad, m.layout(), new float[m.parameters().length]))
                    .isInstanceOf(InputException.class).hasMessageStartingWith(bad.toString());
        }
    }

    @Test void corruptHeadersGiveAMessageNamingTheField() {
        String ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        assertThat(Safetensors.read(file(ok, 8)).tensors().get("a").shape()).containsExactly(2);
        expectError(file("{\"a\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", 16), "'a': dtype \"I64\" is not supported (F32, F16, BF16 or F64)");
        expectError(file("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "'a': data_offsets span 8 bytes, shape [2] of F16 needs 4");
        expectError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "'a': data_offsets span");
        expectError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 12), "after the last tensor");
        expectError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "hole");
        expectError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "overlaps");
        expectError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}", 0), "bad shape");
        expectError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"a\":{}}", 8), "not valid JSON");
        expectError(file("[1,2]", 0), "not a JSON object");
        expectError(file("{\"a\": nonsense", 0), "not valid JSON");
        expectError(file("{\"__metadata__\":{\"k\":1}}", 0), "'__metadata__.k'");
    }

    @Test void aFileForAnotherModelIsRejectedByName() {
        Gpt m = randomGpt();
        Path file = dir.resolve("other.safetensors");
        Gpt other = new Gpt(new GptConfig(9, 5, 1, 2, 8), Parallel.SERIAL);
        Safetensors.write(file, other.layout(), other.parameters(), Map.of());
        assertThatThrownBy(() -> Safetensors.read(file, m.layout(), m.parameters()))
                .isInstanceOf(InputException.class).hasMessageContaining("'blocks.1.ln1.weight': missing tensor");
        Gpt wider = new Gpt(new GptConfig(9, 5, 2, 2, 16), Parallel.SERIAL);
        Safetensors.write(file, wider.layout(), wider.parameters(), Map.of());
        assertThatThrownBy(() -> Safetensors.read(file, m.layout(), m.parameters()))
                .isInstanceOf(InputException.class).hasMessageContaining("'tok.weight': shape [9, 16], the model needs [9, 8]");
        Safetensors.write(file, Map.of("tok.weight", new Safetensors.Tensor(List.of(1), new float[1])), Map.of());
        assertThatThrownBy(() -> Safetensors.read(file, m.layout(), m.parameters())).isInstanceOf(InputException.class);
    }

    private Path file(String header, int dataBytes) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        Path p = dir.resolve("f" + Math.abs(header.hashCode()) + "_" + dataBytes);
        try {
            Files.write(p, b.array());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return p;
    }

    private static void expectError(Path p, String fragment) {
        assertThatThrownBy(() -> Safetensors.read(p)).isInstanceOf(InputException.class).hasMessageContaining(fragment);
    }
}
