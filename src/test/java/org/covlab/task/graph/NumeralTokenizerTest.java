package org.covlab.task.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.SplittableRandom;
import org.covlab.task.Prompt;
import org.junit.jupiter.api.Test;

class NumeralTokenizerTest {

    private final NumeralTokenizer tok = new NumeralTokenizer(100);

    @Test
    void vocabularyLayoutIsNodesThenSeparatorsWithEosAtZero() {
        assertThat(tok.vocabSize()).isEqualTo(104);
        assertThat(new int[] {NumeralTokenizer.EOS, tok.bar(), tok.slash(), tok.equalsSign()}).containsExactly(0, 101, 102, 103);
        assertThat(tok.isNode(0)).isFalse();
        assertThat(tok.isNode(1)).isTrue();
        assertThat(tok.isNode(100)).isTrue();
        assertThat(tok.isNode(101)).isFalse();
    }

    @Test
    void knownAnswerPrompt() {
        int[] tokens = tok.encodePrompt(List.of(new int[] {1, 2}, new int[] {2, 3}), 1, 3);
        assertThat(tokens).containsExactly(1, 2, 101, 2, 3, 102, 1, 3, 103);
        assertThat(tok.text(tokens)).isEqualTo("1 2 | 2 3 / 1 3 =");
        assertThat(tok.tokens("1 2 | 2 3 / 1 3 =")).containsExactly(tokens);
        NumeralTokenizer.PromptParts parts = tok.decodePrompt(tokens);
        assertThat(parts.edges()).containsExactly(new int[] {1, 2}, new int[] {2, 3});
        assertThat(parts.source()).isEqualTo(1);
        assertThat(parts.target()).isEqualTo(3);
    }

    @Test
    void responseTextLeavesOutTheFinalEos() {
        int[] y = tok.encodeResponse(new int[] {7, 42, 9});
        assertThat(y).containsExactly(7, 42, 9, 0);
        assertThat(tok.responseText(y)).isEqualTo("7 42 9");
        assertThat(tok.responseTokens("7 42 9")).containsExactly(y);
        assertThat(tok.responseText(new int[] {7, 0, 9})).isEqualTo("7 <eos> 9");
        assertThat(tok.tokens("7 <eos> 9")).containsExactly(7, 0, 9);
    }

    @Test
    void sampledPromptsRoundTripThroughTextAndParts() {
        for (String name : GraphTasks.NAMES) {
            GraphTask task = GraphTasks.byName(name, null);
            SplittableRandom rng = new SplittableRandom(11);
            for (int i = 0; i < 200; i++) {
                Prompt x = task.samplePrompt(rng);
                String text = tok.text(x.tokens());
                assertThat(tok.tokens(text)).containsExactly(x.tokens());
                NumeralTokenizer.PromptParts p = tok.decodePrompt(x.tokens());
                assertThat(tok.encodePrompt(p.edges(), p.source(), p.target())).containsExactly(x.tokens());
                int[] y = task.sampleResponse(x, rng);
                assertThat(tok.responseTokens(tok.responseText(y))).containsExactly(y);
            }
        }
    }

    @Test
    void rejectsMalformedInput() {
        assertThatThrownBy(() -> tok.tokens("1 2 # 3")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'#'");
        assertThatThrownBy(() -> tok.tokens("101")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside");
        assertThatThrownBy(() -> tok.decodePrompt(new int[] {1, 2, 102, 1, 2})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tok.decodePrompt(tok.tokens("1 2 / 2 3 / 1 3 =")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'|'");
        assertThatThrownBy(() -> tok.decodePrompt(tok.tokens("1 | | 2 3 / 1 3 =")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("node id");
        assertThatThrownBy(() -> tok.text(new int[] {104})).isInstanceOf(IllegalArgumentException.class);
    }
}
