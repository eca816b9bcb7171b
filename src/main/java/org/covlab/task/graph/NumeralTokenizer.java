package org.covlab.task.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The numeral tokenizer of the graph tasks (paper App. C.1, as in Bachmann and Nagarajan 2024): node v of
 * [m] = {1, ..., m} is token v, and the separators are '|' = m+1, '/' = m+2, '=' = m+3. Token 0, which no node
 * uses, is the end-of-sequence token, so the vocabulary is exactly {0, ..., m+3} (104 tokens for m = 100).
 *
 * <p>Prompt text: {@code u1 v1 | u2 v2 | ... | uk vk / s t =}. Response text: the node path separated by
 * spaces; its tokens are the path followed by {@link #EOS}, which the text leaves out.
 */
public record NumeralTokenizer(int m) {

    /** End of sequence: token 0, the one id below the node range [m]. */
    public static final int EOS = 0;
    /** How {@link #text} writes EOS when it is not the final token of a response. */
    public static final String EOS_TEXT = "<eos>";

    public NumeralTokenizer {
        if (m < 2) throw new IllegalArgumentException("m must be >= 2, got " + m);
    }

    public int bar() { return m + 1; }

    public int slash() { return m + 2; }

    public int equalsSign() { return m + 3; }

    /** m + 4: the EOS token, the m node ids and the three separators. */
    public int vocabSize() { return m + 4; }

    public boolean isNode(int token) { return token >= 1 && token <= m; }

    /** Tokens of {@code u1 v1 | ... | uk vk / s t =}; edges are (u, v) pairs in the order given. */
    public int[] encodePrompt(List<int[]> edges, int source, int target) {
        if (edges.isEmpty()) throw new IllegalArgumentException("a graph prompt needs at least one edge");
        int[] out = new int[3 * edges.size() + 3];
        int p = 0;
        for (int[] e : edges) {
            if (p > 0) out[p++] = bar();
            out[p++] = node(e[0]);
            out[p++] = node(e[1]);
        }
        out[p++] = slash();
        out[p++] = node(source);
        out[p++] = node(target);
        out[p] = equalsSign();
        return out;
    }

    /** A prompt split back into its edges, source and target. */
    public record PromptParts(List<int[]> edges, int source, int target) {}

    /** Inverse of {@link #encodePrompt}; throws on anything that is not of that exact shape. */
    public PromptParts decodePrompt(int[] tokens) {
        int n = tokens.length;
        if (n < 6 || (n - 3) % 3 != 0 || tokens[n - 1] != equalsSign() || tokens[n - 4] != slash())
            throw new IllegalArgumentException("not a graph prompt 'u v | ... / s t =': " + text(tokens));
        List<int[]> edges = new ArrayList<>((n - 3) / 3);
        for (int p = 0; p < n - 4; p += 3) {
            if (p > 0 && tokens[p - 1] != bar())
                throw new IllegalArgumentException("expected '|' at token " + (p - 1) + " of " + text(tokens));
            edges.add(new int[] {nodeAt(tokens, p), nodeAt(tokens, p + 1)});
        }
        return new PromptParts(edges, nodeAt(tokens, n - 3), nodeAt(tokens, n - 2));
    }

    /** Response tokens: the path, then EOS. */
    public int[] encodeResponse(int[] path) {
        int[] out = Arrays.copyOf(path, path.length + 1);
        for (int v : path) node(v);
        out[path.length] = EOS;
        return out;
    }

    /** Every token as text: node ids as numbers, separators as symbols, EOS as {@value #EOS_TEXT}. */
    public String text(int[] tokens) {
        StringBuilder sb = new StringBuilder();
        for (int tok : tokens) {
            if (sb.length() > 0) sb.append(' ');
            sb.append(symbol(tok));
        }
        return sb.toString();
    }

    /** The response text: {@link #text} without the final EOS (the printed path "s v2 ... t"). */
    public String responseText(int[] response) {
        int n = response.length;
        return text(n > 0 && response[n - 1] == EOS ? Arrays.copyOf(response, n - 1) : response);
    }

    /** Inverse of {@link #text}: whitespace-separated numbers and symbols back to tokens. */
    public int[] tokens(String text) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) return new int[0];
        String[] words = trimmed.split("\\s+");
        int[] out = new int[words.length];
        for (int i = 0; i < words.length; i++) out[i] = token(words[i]);
        return out;
    }

    /** Inverse of {@link #responseText}: the path's tokens, then EOS. */
    public int[] responseTokens(String text) {
        int[] t = tokens(text);
        int[] out = Arrays.copyOf(t, t.length + 1);
        out[t.length] = EOS;
        return out;
    }

    private String symbol(int tok) {
        if (tok == EOS) return EOS_TEXT;
        if (isNode(tok)) return Integer.toString(tok);
        if (tok == bar()) return "|";
        if (tok == slash()) return "/";
        if (tok == equalsSign()) return "=";
        throw new IllegalArgumentException("token " + tok + " is outside the vocabulary [0, " + vocabSize() + ")");
    }

    private int token(String word) {
        switch (word) {
            case "|": return bar();
            case "/": return slash();
            case "=": return equalsSign();
            case EOS_TEXT: return EOS;
            default:
                try {
                    return node(Integer.parseInt(word));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + word + "' is neither a node id nor one of | / = " + EOS_TEXT);
                }
        }
    }

    private int node(int v) {
        if (!isNode(v)) throw new IllegalArgumentException("node id " + v + " is outside [1, " + m + "]");
        return v;
    }

    private int nodeAt(int[] tokens, int p) {
        if (!isNode(tokens[p]))
            throw new IllegalArgumentException("expected a node id at token " + p + ", got " + tokens[p]);
        return tokens[p];
    }
}
