package org.covlab.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.covlab.util.InputException;

/**
 * Reads JSONL files made elsewhere (one JSON object per line, UTF-8; blank lines are skipped) and hands each
 * line to the caller as a {@link JsonLine} that knows its file and 1-based line number. Anything wrong
 * becomes an {@link InputException} "FILE:LINE: field 'F': what": malformed JSON, a line that is not an object,
 * duplicate keys, trailing text, unreadable files and bytes that are not UTF-8. NaN and Infinity parse, so
 * that {@link JsonLine#number} can name the field that holds them.
 */
public final class JsonLines {
    private JsonLines() {}

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)      // reported per field, not as bad JSON
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)   // {"c": 1, "c": 5} is ambiguous
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS) // two objects on one line
            .build();

    /** Calls {@code action} on every non-blank line of {@code file}, in order. */
    public static void forEach(Path file, Consumer<JsonLine> action) {
        // Lines are split on raw bytes and parsed from them, so a bad UTF-8 byte is reported on its own line
        // (a Reader decodes ahead in blocks and would blame the first line), and ASCII lines are never decoded.
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();  // reports malformed input
        long number = 0;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int have = 0;
            for (int len; (len = in.read(buf, have, buf.length - have)) != -1; ) {
                int end = have + len, start = 0;
                for (int i = have; i < end; i++) {
                    if (buf[i] != '\n') continue;
                    handle(file, ++number, buf, start, i, utf8, action);
                    start = i + 1;
                }
                have = end - start;                                   // an unfinished line moves to the front
                System.arraycopy(buf, start, buf, 0, have);
                if (have == buf.length) buf = Arrays.copyOf(buf, 2 * buf.length);  // a line longer than the buffer
            }
            if (have > 0) handle(file, ++number, buf, 0, have, utf8, action);
        } catch (NoSuchFileException e) {
            throw InputException.at(file, 0, null, "no such file");
        } catch (AccessDeniedException e) {
            throw InputException.at(file, 0, null, "permission denied");
        } catch (IOException e) {
            throw InputException.at(file, number, null, "cannot read: " + e.getMessage());
        }
    }

    /** Line {@code number} is buf[from, to): skips a byte-order mark, a trailing CR and blank lines, checks UTF-8, parses. */
    private static void handle(Path file, long number, byte[] buf, int from, int to, CharsetDecoder utf8, Consumer<JsonLine> action) {
        if (number == 1 && to - from >= 3 && (buf[from] & 0xff) == 0xEF && (buf[from + 1] & 0xff) == 0xBB && (buf[from + 2] & 0xff) == 0xBF) from += 3;
        if (to > from && buf[to - 1] == '\r') to--;
        boolean blank = true, ascii = true;
        for (int i = from; i < to; i++) {
            byte b = buf[i];
            if (b != ' ' && b != '\t' && b != '\r') blank = false;
            if (b < 0) ascii = false;
        }
        if (blank) return;
        if (!ascii) {
            try {
                utf8.decode(ByteBuffer.wrap(buf, from, to - from));
            } catch (CharacterCodingException e) {
                throw InputException.at(file, number, null, "not valid UTF-8 text");
            }
        }
        action.accept(new JsonLine(file, number, parse(file, number, buf, from, to)));
    }

    /** Every non-blank line parsed by {@code parse}, in order. */
    public static <T> List<T> read(Path file, Function<JsonLine, T> parse) {
        List<T> out = new ArrayList<>();
        forEach(file, line -> out.add(parse.apply(line)));
        return out;
    }

    private static ObjectNode parse(Path file, long number, byte[] buf, int from, int to) {
        JsonNode node;
        try {
            node = MAPPER.readTree(buf, from, to - from);
        } catch (JsonProcessingException e) {
            String why = JsonErrors.describe(e);
            String where = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
            throw InputException.at(file, number, null, "malformed JSON" + where + ": " + why);
        } catch (IOException e) {  // reading from memory: only the parse errors above happen
            throw new UncheckedIOException(e);
        }
        if (!(node instanceof ObjectNode object))
            throw InputException.at(file, number, null, "expected a JSON object, got " + JsonLine.describe(node));
        return object;
    }
}
