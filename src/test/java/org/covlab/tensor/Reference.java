package org.covlab.tensor;

/**
 * The slow, obvious versions of every kernel in this package, written straight from the definitions with
 * double accumulators. Tests compare the fast kernels with these; nothing else should call them.
 */
public final class Reference {
    private Reference() {}

    /** C (+)= op(A) · op(B) with the same strided layout as {@link Gemm#gemm}. */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = accumulate ? c[cOff + i * ldc + j] : 0;
                for (int p = 0; p < k; p++) {
                    float x = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float y = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += (double) x * y;
                }
                c[cOff + i * ldc + j] = (float) s;
            }
        }
    }

    public static void layerNormForward(float[] out, float[] mean, float[] rstd, float[] inp,
                                        float[] w, int wOff, float[] b, int bOff, int n, int c) {
        for (int r = 0; r < n; r++) {
            double m = 0, var = 0;
            for (int i = 0; i < c; i++) m += inp[r * c + i];
            m /= c;
            for (int i = 0; i < c; i++) var += (inp[r * c + i] - m) * (inp[r * c + i] - m);
            double s = 1 / Math.sqrt(var / c + LayerNorm.EPS);
            for (int i = 0; i < c; i++) out[r * c + i] = (float) ((inp[r * c + i] - m) * s * w[wOff + i] + b[bOff + i]);
            mean[r] = (float) m;
            rstd[r] = (float) s;
        }
    }

    /** The LayerNorm input gradient written out from the chain rule, term by term. */
    public static void layerNormBackward(float[] dinp, float[] dw, int dwOff, float[] db, int dbOff,
                                         float[] dout, float[] inp, float[] w, int wOff,
                                         float[] mean, float[] rstd, int n, int c) {
        for (int r = 0; r < n; r++) {
            double s = rstd[r];
            double[] norm = new double[c], dnorm = new double[c];
            for (int i = 0; i < c; i++) {
                norm[i] = (inp[r * c + i] - mean[r]) * s;
                dnorm[i] = (double) dout[r * c + i] * w[wOff + i];
                dw[dwOff + i] += (float) (dout[r * c + i] * norm[i]);
                db[dbOff + i] += dout[r * c + i];
            }
            // y_i = norm_i w_i + b_i, norm_i = (x_i - mean) s: dx_j = s (dnorm_j - mean(dnorm) - norm_j mean(dnorm norm))
            for (int j = 0; j < c; j++) {
                double g = 0;
                for (int i = 0; i < c; i++) {
                    double dNormIdXj = s * ((i == j ? 1 : 0) - 1.0 / c) - norm[i] * norm[j] * s / c;
                    g += dnorm[i] * dNormIdXj;
                }
                dinp[r * c + j] += (float) g;
            }
        }
    }

    public static double gelu(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    public static void geluForward(float[] out, float[] inp, int n) {
        for (int i = 0; i < n; i++) out[i] = (float) gelu(inp[i]);
    }

    /** dinp = dout * gelu'(inp), differentiating the tanh form directly. */
    public static void geluBackward(float[] dinp, float[] inp, float[] dout, int n) {
        double k0 = Math.sqrt(2 / Math.PI);
        for (int i = 0; i < n; i++) {
            double x = inp[i], t = Math.tanh(k0 * (x + 0.044715 * x * x * x));
            double d = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k0 * (1 + 3 * 0.044715 * x * x);
            dinp[i] = (float) (dout[i] * d);
        }
    }

    public static void causalSoftmaxForward(float[] att, int off, int t, int ld, float scale) {
        for (int i = 0; i < t; i++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j <= i; j++) max = Math.max(max, scale * att[off + i * ld + j]);
            double[] e = new double[t];
            for (int j = 0; j <= i; j++) sum += e[j] = Math.exp(scale * att[off + i * ld + j] - max);
            for (int j = 0; j < t; j++) att[off + i * ld + j] = (float) (e[j] / sum);
        }
    }

    /** dScore_ij = scale * sum_k dP_ik dP_ik/dScore_ij with the full softmax Jacobian P_ik (delta_kj - P_ij). */
    public static void causalSoftmaxBackward(float[] dAtt, int dOff, float[] att, int aOff, int t, int ld, float scale) {
        for (int i = 0; i < t; i++) {
            double[] out = new double[t];
            for (int j = 0; j <= i; j++) {
                for (int k = 0; k <= i; k++) {
                    double pk = att[aOff + i * ld + k], pj = att[aOff + i * ld + j];
                    out[j] += dAtt[dOff + i * ld + k] * pk * ((k == j ? 1 : 0) - pj) * scale;
                }
            }
            for (int j = 0; j < t; j++) dAtt[dOff + i * ld + j] = (float) out[j];
        }
    }

    /**
     * Causal attention straight from its definition, per (b, head): P_ij = softmax_j(q_i · k_j / sqrt(hs)) over
     * j <= i (0 for j > i), y_i = sum_j P_ij v_j. // qkv: (B, T, 3C); att: (B, NH, T, T); out: (B, T, C)
     */
    public static void attentionForward(float[] out, float[] att, float[] qkv, int b, int t, int c, int nh) {
        int hs = c / nh;
        for (int bb = 0; bb < b; bb++) {
            for (int h = 0; h < nh; h++) {
                for (int i = 0; i < t; i++) {
                    double[] s = new double[i + 1];
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int j = 0; j <= i; j++) {
                        for (int p = 0; p < hs; p++) {
                            s[j] += (double) qkvAt(qkv, bb, i, 0, h * hs + p, t, c) * qkvAt(qkv, bb, j, 1, h * hs + p, t, c);
                        }
                        s[j] /= Math.sqrt(hs);
                        max = Math.max(max, s[j]);
                    }
                    for (int j = 0; j <= i; j++) sum += s[j] = Math.exp(s[j] - max);
                    int a = ((bb * nh + h) * t + i) * t;
                    for (int j = 0; j < t; j++) att[a + j] = j <= i ? (float) (s[j] / sum) : 0f;
                    for (int p = 0; p < hs; p++) {
                        double y = 0;
                        for (int j = 0; j <= i; j++) y += s[j] / sum * qkvAt(qkv, bb, j, 2, h * hs + p, t, c);
                        out[(bb * t + i) * c + h * hs + p] = (float) y;
                    }
                }
            }
        }
    }

    /**
     * The gradient of {@link #attentionForward} by the chain rule: dv_j = sum_i P_ij dy_i, dP_ij = dy_i · v_j,
     * dS_ij = P_ij (dP_ij - sum_k P_ik dP_ik) / sqrt(hs), dq_i = sum_j dS_ij k_j, dk_j = sum_i dS_ij q_i.
     * Overwrites dqkv. // dout: (B, T, C); att: (B, NH, T, T) from the forward; qkv, dqkv: (B, T, 3C)
     */
    public static void attentionBackward(float[] dqkv, float[] dout, float[] att, float[] qkv, int b, int t, int c, int nh) {
        int hs = c / nh;
        java.util.Arrays.fill(dqkv, 0, b * t * 3 * c, 0f);
        for (int bb = 0; bb < b; bb++) {
            for (int h = 0; h < nh; h++) {
                double[][] dq = new double[t][hs], dk = new double[t][hs], dv = new double[t][hs];
                int a = (bb * nh + h) * t * t;
                for (int i = 0; i < t; i++) {
                    double[] dp = new double[i + 1];
                    double dot = 0;
                    for (int j = 0; j <= i; j++) {
                        double pij = att[a + i * t + j];
                        for (int p = 0; p < hs; p++) {
                            double dy = dout[(bb * t + i) * c + h * hs + p];
                            dp[j] += dy * qkvAt(qkv, bb, j, 2, h * hs + p, t, c);
                            dv[j][p] += pij * dy;
                        }
                        dot += pij * dp[j];
                    }
                    for (int j = 0; j <= i; j++) {
                        double ds = att[a + i * t + j] * (dp[j] - dot) / Math.sqrt(hs);
                        for (int p = 0; p < hs; p++) {
                            dq[i][p] += ds * qkvAt(qkv, bb, j, 1, h * hs + p, t, c);
                            dk[j][p] += ds * qkvAt(qkv, bb, i, 0, h * hs + p, t, c);
                        }
                    }
                }
                for (int i = 0; i < t; i++) {
                    for (int p = 0; p < hs; p++) {
                        int o = (bb * t + i) * 3 * c + h * hs + p;
                        dqkv[o] = (float) dq[i][p];
                        dqkv[o + c] = (float) dk[i][p];
                        dqkv[o + 2 * c] = (float) dv[i][p];
                    }
                }
            }
        }
    }

    /** Column col (head h, element p: h hs + p) of part (0 q, 1 k, 2 v) at position i of sequence bb. */
    private static float qkvAt(float[] qkv, int bb, int i, int part, int col, int t, int c) {
        return qkv[(bb * t + i) * 3 * c + part * c + col];
    }

    public static double logSumExp(float[] x, int off, int len) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int j = 0; j < len; j++) max = Math.max(max, x[off + j]);
        for (int j = 0; j < len; j++) sum += Math.exp(x[off + j] - max);
        return max + Math.log(sum);
    }

    public static void axpy(float[] y, int yOff, float alpha, float[] x, int xOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] = (float) (y[yOff + i] + (double) alpha * x[xOff + i]);
    }

    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += (double) a[aOff + i] * b[bOff + i];
        return (float) s;
    }

    public static void addBias(float[] out, float[] bias, int bOff, int rows, int cols) {
        for (int r = 0; r < rows; r++) for (int j = 0; j < cols; j++) out[r * cols + j] += bias[bOff + j];
    }

    public static void biasGrad(float[] db, int dbOff, float[] dout, int rows, int cols) {
        for (int j = 0; j < cols; j++) {
            double s = db[dbOff + j];
            for (int r = 0; r < rows; r++) s += dout[r * cols + j];
            db[dbOff + j] = (float) s;
        }
    }

    /** AdamW as in torch.optim.AdamW's single-tensor loop, in double. */
    public static void adamw(float[] p, float[] g, float[] m, float[] v, int from, int to,
                             float lr, float beta1, float beta2, float eps, float weightDecay, int step) {
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        for (int i = from; i < to; i++) {
            double pi = p[i] * (1 - (double) lr * weightDecay);
            double mi = beta1 * (double) m[i] + (1 - (double) beta1) * g[i];
            double vi = beta2 * (double) v[i] + (1 - (double) beta2) * g[i] * g[i];
            m[i] = (float) mi;
            v[i] = (float) vi;
            p[i] = (float) (pi - lr / bc1 * mi / (Math.sqrt(vi) / Math.sqrt(bc2) + eps));
        }
    }
}
