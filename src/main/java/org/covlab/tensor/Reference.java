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
}
