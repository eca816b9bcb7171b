package org.covlab.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Known answers for the dtypes covlab converts to float32 on reading: F16, BF16 and F64 bit patterns and their values. */
class SafetensorsDtypesTest {

    @TempDir Path dir;

    @Test void halfPrecisionBitPatternsReadAsTheirExactValues() throws IOException {
        short[] bits = {0x3C00, (short) 0xC000, 0x3555, 0x7BFF, 0x0400, 0x03FF, 0x0001, 0x0000, (short) 0x8000, 0x7C00, (short) 0xFC00};
        float[] expected = {1f, -2f, 0.333251953125f, 65504f, 0x1p-14f, 1023 * 0x1p-24f, 0x1p-24f, 0f, -0f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        ByteBuffer b = little(2 * bits.length);
        for (short s : bits) b.putShort(s);
        float[] got = read("F16", bits.length, b);
        assertThat(got).containsExactly(expected);
        assertThat(Float.floatToRawIntBits(got[8])).as("-0 keeps its sign").isEqualTo(0x80000000);
        assertThat(Float.isNaN(read("F16", 1, little(2).putShort((short) 0x7E00))[0])).isTrue();
    }

    @Test void bfloat16IsTheHighHalfOfAFloat() throws IOException {
        short[] bits = {0x3F80, (short) 0xC040, 0x3EAB, 0x7F7F, 0x0001, (short) 0xFF80};
        float[] expected = {1f, -3f, 0.333984375f, 0x1.fep127f, Float.intBitsToFloat(0x00010000), Float.NEGATIVE_INFINITY};
        ByteBuffer b = little(2 * bits.length);
        for (short s : bits) b.putShort(s);
        assertThat(read("BF16", bits.length, b)).containsExactly(expected);
    }

    @Test void doublesRoundToTheNearestFloat() throws IOException {
        double[] values = {0.1, 1.0 / 3, -2.5, 1e-50, 1e300, 16777217.0};
        float[] expected = {0.1f, 0.33333334f, -2.5f, 0f, Float.POSITIVE_INFINITY, 16777216f};
        ByteBuffer b = little(8 * values.length);
        for (double v : values) b.putDouble(v);
        assertThat(read("F64", values.length, b)).containsExactly(expected);
    }

    @Test void contentsSayWhichDtypesWereConverted() throws IOException {
        ByteBuffer b = little(4 + 2 + 8).putFloat(1f).putShort((short) 0x3C00).putDouble(1.0);
        Path f = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"BF16\",\"shape\":[1],"
                + "\"data_offsets\":[4,6]},\"c\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[6,14]}}", b);
        Safetensors.Contents c = Safetensors.read(f);
        assertThat(c.converted()).containsExactly("BF16", "F64");
        assertThat(c.tensors().get("b").data()).containsExactly(0x1p-7f);     // half 1.0 (0x3C00) read as bfloat16
        assertThat(c.tensors().get("c").data()).containsExactly(1f);
    }

    private static ByteBuffer little(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private float[] read(String dtype, int n, ByteBuffer data) throws IOException {
        Path f = file("{\"t\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + n + "],\"data_offsets\":[0," + data.capacity() + "]}}", data);
        Safetensors.Contents c = Safetensors.read(f);
        assertThat(c.dtypes()).containsEntry("t", dtype);
        return c.tensors().get("t").data();
    }

    private Path file(String header, ByteBuffer data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = little(8 + json.length + data.capacity());
        b.putLong(json.length).put(json).put(data.array());
        Path p = Files.createTempFile(dir, "t", ".safetensors");
        Files.write(p, b.array());
        return p;
    }
}
