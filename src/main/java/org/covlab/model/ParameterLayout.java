package org.covlab.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each named tensor of a {@link Gpt} lives in its flat parameter (and gradient) array. Names, shapes
 * and order are exactly PyTorch's {@code state_dict()} of the module in {@code scripts/covlab_gpt.py}, so checkpoints
 * load in PyTorch and the fixture's tensors map one to one.
 */
public final class ParameterLayout {

    /** One named tensor: elements [offset, offset + size) of the flat array, row-major with this shape. */
    public record Tensor(String name, List<Integer> shape, int offset, int size) {
        public Tensor {
            shape = List.copyOf(shape);
        }

        /** True for weight matrices and embeddings (rank 2), false for biases and LayerNorm vectors. */
        public boolean isMatrix() {
            return shape.size() == 2;
        }
    }

    private final Map<String, Tensor> byName = new LinkedHashMap<>();
    private int size;

    /** The layout of scripts/covlab_gpt.py's GPT: tok, pos, blocks.{i}.{ln1,ln2,qkv,proj,fc,out}, ln, head. */
    public static ParameterLayout of(GptConfig c) {
        int d = c.dModel();
        ParameterLayout p = new ParameterLayout();
        p.add("tok.weight", c.vocab(), d);
        p.add("pos.weight", c.ctx(), d);
        for (int l = 0; l < c.layers(); l++) {
            String b = "blocks." + l + ".";
            p.add(b + "ln1.weight", d);
            p.add(b + "ln1.bias", d);
            p.add(b + "ln2.weight", d);
            p.add(b + "ln2.bias", d);
            p.add(b + "qkv.weight", 3 * d, d);
            p.add(b + "qkv.bias", 3 * d);
            p.add(b + "proj.weight", d, d);
            p.add(b + "proj.bias", d);
            p.add(b + "fc.weight", 4 * d, d);
            p.add(b + "fc.bias", 4 * d);
            p.add(b + "out.weight", d, 4 * d);
            p.add(b + "out.bias", d);
        }
        p.add("ln.weight", d);
        p.add("ln.bias", d);
        p.add("head.weight", c.vocab(), d);
        return p;
    }

    private void add(String name, int... shape) {
        long n = 1;
        List<Integer> s = new ArrayList<>();
        for (int x : shape) { n *= x; s.add(x); }
        if (size + n > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("too many parameters for one float[]");
        byName.put(name, new Tensor(name, s, size, (int) n));
        size += (int) n;
    }

    /** All tensors in state_dict order. */
    public List<Tensor> tensors() {
        return List.copyOf(byName.values());
    }

    /** The total number of parameters. */
    public int size() {
        return size;
    }

    public Tensor get(String name) {
        Tensor t = byName.get(name);
        if (t == null) throw new IllegalArgumentException("no parameter named '" + name + "'");
        return t;
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    public int offset(String name) {
        return get(name).offset();
    }
}
