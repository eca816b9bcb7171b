package org.covlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TaskDataTest {

    @Test void packsTeacherForcedRowsWithResponseMaskAndPadding() {
        int[][][] pairs = {{{5, 6, 7}, {8, 0}}, {{9}, {3, 0}}};
        TaskData.Batch b = TaskData.pack(pairs, TaskData.LossOn.RESPONSE);
        assertThat(b.rows()).isEqualTo(2);
        assertThat(b.seq()).isEqualTo(4);                        // 3 + 2 - 1
        assertThat(b.inputs()).containsExactly(5, 6, 7, 8, /* row 2 */ 9, 3, 0, 0);
        assertThat(b.targets()).containsExactly(6, 7, 8, 0, /* row 2 */ 3, 0, 0, 0);
        assertThat(b.weights()).containsExactly(0f, 0f, 1f, 1f, /* row 2 */ 1f, 1f, 0f, 0f);
        assertThat(b.weightSum()).isEqualTo(4);
        TaskData.Batch all = TaskData.pack(pairs, TaskData.LossOn.ALL);
        assertThat(all.weights()).containsExactly(1f, 1f, 1f, 1f, 1f, 1f, 0f, 0f);
    }

    @Test void aDatasetVisitsEverySampleOncePerEpochInAShuffledOrder() {
        TaskData d = new TaskData(TinyRuns.FIG2, 3, 10, TaskData.LossOn.RESPONSE);
        Set<String> dataset = new HashSet<>();
        for (int i = 0; i < 10; i++) dataset.add(key(d.sample(i)));
        List<String> epoch0 = drawn(d, 5, 2), epoch1 = drawn(d, 5, 2);  // 2 batches of 5 = one epoch
        assertThat(new HashSet<>(epoch0)).isEqualTo(dataset);
        assertThat(new HashSet<>(epoch1)).isEqualTo(dataset);
        assertThat(epoch0).isNotEqualTo(epoch1);                          // a new order each epoch
        assertThat(d.position()).isEqualTo(new TaskData.Position(2, 0));
    }

    @Test void onlineDataIsFreshAndSeekContinuesExactly() {
        TaskData a = new TaskData(TinyRuns.FIG2, 3, TaskData.ONLINE, TaskData.LossOn.RESPONSE);
        List<String> first = drawn(a, 4, 3);
        assertThat(new HashSet<>(first)).hasSize(12);
        assertThat(a.position()).isEqualTo(new TaskData.Position(0, 12));
        TaskData.Batch next = a.next(4);

        TaskData b = new TaskData(TinyRuns.FIG2, 3, TaskData.ONLINE, TaskData.LossOn.RESPONSE);
        b.seek(new TaskData.Position(0, 12));
        assertThat(b.next(4).inputs()).isEqualTo(next.inputs());

        TaskData c = new TaskData(TinyRuns.FIG2, 3, 10, TaskData.LossOn.RESPONSE);
        c.next(7);
        c.next(7);                                                        // crosses into epoch 1
        TaskData.Position p = c.position();
        TaskData.Batch cNext = c.next(7);
        TaskData e = new TaskData(TinyRuns.FIG2, 3, 10, TaskData.LossOn.RESPONSE);
        e.seek(p);
        assertThat(e.next(7).targets()).isEqualTo(cNext.targets());
        assertThatThrownBy(() -> e.seek(new TaskData.Position(0, 10))).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<String> drawn(TaskData d, int batch, int batches) {
        List<String> out = new ArrayList<>();
        for (int k = 0; k < batches; k++) {
            TaskData.Batch b = d.next(batch);
            for (int r = 0; r < b.rows(); r++) out.add(Arrays.toString(Arrays.copyOfRange(b.inputs(), r * b.seq(), r * b.seq() + 40)));
        }
        return out;
    }

    private static String key(int[][] pair) {
        return Arrays.toString(Arrays.copyOf(pair[0], 40));
    }
}
