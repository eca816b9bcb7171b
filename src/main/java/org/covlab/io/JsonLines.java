package org.covlab.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
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
        // Lines are split on raw bytes and decoded one by one, so a bad UTF-8 byte is reported on its own line
        // (a Reader decodes ahead in blocks and would blame the first line).
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();  // reports malformed input
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        long number = 0;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] chunk = new byte[1 << 16];
            for (int len; (len = in.read(chunk)) != -1; ) {
                int start = 0;
                for (int i = 0; i < len; i++) {
                    if (chunk[i] != '\n') continue;
                    line.write(chunk, start, i - start);
                    handle(file, ++number, decode(utf8, line, file, number), action);
                    line.reset();
                    start = i + 1;
                }
                line.write(chunk, start, len - start);
            }
            if (line.size() > 0) handle(file, ++number, decode(utf8, line, file, number), action);
        } catch (NoSuchFileException e) {
            throw InputException.at(file, 0, null, "no such file");
        } catch (AccessDeniedException e) {
            throw InputException.at(file, 0, null, "permission denied");
        } catch (IOException e) {
            throw InputException.at(file, number, null, "cannot read: " + e.getMessage());
        }
    }

    private static String decode(CharsetDecoder utf8, ByteArrayOutputStream bytes, Path file, long number) {
        try {
            String text = utf8.decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
            if (number == 1 && text.startsWith("\uFEFF")) text = text.substring(1);  // byte-order mark
            return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
        } catch (CharacterCodingException e) {
            throw InputException.at(file, number, null, "not valid UTF-8 text");
        }
    }

    private static void handle(Path file, long number, String text, Consumer<JsonLine> action) {
        if (!text.isBlank()) action.accept(new JsonLine(file, number, parse(file, number, text)));
    }

    /** Every non-blank line parsed by {@code parse}, in order. */
    public static <T> List<T> read(Path file, Function<JsonLine, T> parse) {
        List<T> out = new ArrayList<>();
        forEach(file, line -> out.add(parse.apply(line)));
        return out;
    }

    private static ObjectNode parse(Path file, long number, String text) {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            String why = e.getOriginalMessage().lines().findFirst().orElse("unreadable");
            String where = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
            throw InputException.at(file, number, null, "malformed JSON" + where + ": " + why);
        }
        if (!(node instanceof ObjectNode object))
            throw InputException.at(file, number, null, "expected a JSON object, got " + JsonLine.describe(node));
        return object;
    }
}
