package org.covlab.metric;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The coverage profile Cov_N(pi_D || pi_hat) (Def. 1.1, Eq. 1) and the sequence KL / cross-entropy (section 3),
 * from log-ratio records.
 *
 * <p>Cov_N is the pi_D-mass of responses that the model under-covers by a factor N or more (lower is
 * better): by Remark 2.1, Cov_N = P_{pi_D}[log pi_D(y|x) - log pi_hat(y|x) >= log N], the tail of the log
 * density ratio, while KL is its mean. N is any real number >= 1.
 *
 * <p>All figures are weighted means with the records' weights normalised to sum to 1 (after dividing by the largest,
 * so that any finite weights work). Records that enumerate
 * the support of pi_D(.|x) with weights mu(x)·pi_D(y|x) give exact values; records sampled from pi_D with
 * weight 1 give Monte Carlo estimates (paper notes section 3.0).
 *
 * <p>An instance sorts the log ratios once; {@link #coverage(double)} is then a binary search, so a whole
 * grid of N (or the function N -> Cov_N used by {@link CoverageBounds}) costs O(log n) per N.
 */
public final class CoverageProfile {

    private final double[] sortedLogRatios;  // (n) ascending; +infinity where the model gives y no mass
    private final double[] tailWeight;       // (n + 1) tailWeight[i] = sum of weights of sortedLogRatios[i..]
    private final double totalWeight;
    private final double effectiveSampleSize;

    private CoverageProfile(List<LogRatioRecord> records) {
        int n = records.size();
        double max = maxWeight(records);
        LogRatioRecord[] byRatio = records.toArray(new LogRatioRecord[0]);
        Arrays.sort(byRatio, (a, b) -> Double.compare(a.logRatio(), b.logRatio()));
        sortedLogRatios = new double[n];
        tailWeight = new double[n + 1];
        for (int i = n - 1; i >= 0; i--) {
            sortedLogRatios[i] = byRatio[i].logRatio();
            tailWeight[i] = tailWeight[i + 1] + byRatio[i].weight() / max;   // each <= 1: the sums stay finite
        }
        totalWeight = tailWeight[0];
        effectiveSampleSize = effectiveSampleSize(records);
    }

    /** Sorts the records' log ratios once, for any number of Cov_N queries. */
    public static CoverageProfile of(List<LogRatioRecord> records) {
        return new CoverageProfile(records);
    }

    /** Cov_N = P[log pi_D - log pi_hat >= log N] (Def. 1.1) for one real N >= 1. */
    public double coverage(double n) {
        double logN = Math.log(requireN(n));
        int lo = 0, hi = sortedLogRatios.length;  // first index with ratio >= log N
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sortedLogRatios[mid] >= logN) hi = mid; else lo = mid + 1;
        }
        return tailWeight[lo] / totalWeight;
    }

    /** Cov_N for every N of a grid. // (ns.length) */
    public double[] coverage(double[] ns) {
        double[] out = new double[ns.length];
        for (int i = 0; i < ns.length; i++) out[i] = coverage(ns[i]);
        return out;
    }

    /** Number of records. */
    public int size() {
        return sortedLogRatios.length;
    }

    /**
     * Kish's effective sample size (sum w)² / sum w²: the number of equally weighted records that would give
     * a proportion the same variance. Equals the record count when all weights are equal; the Wilson
     * intervals of {@link #summarize} use it as their n.
     */
    public double effectiveSampleSize() {
        return effectiveSampleSize;
    }

    /** Cov_N for one N, without keeping the sorted profile. */
    public static double coverage(List<LogRatioRecord> records, double n) {
        return of(records).coverage(n);
    }

    /** Sequence KL (section 1.4): the weighted mean of log pi_D(y|x) - log pi_hat(y|x) (Remark 2.1). */
    public static double kl(List<LogRatioRecord> records) {
        return weightedMean(records, LogRatioRecord::logRatio);
    }

    /** Sequence cross-entropy D_CE (section 1.4): the weighted mean of -log pi_hat(y|x). */
    public static double crossEntropy(List<LogRatioRecord> records) {
        return weightedMean(records, r -> -r.logpModel());
    }

    /**
     * sum_i w_i f(r_i) / sum_i w_i over the records of positive weight, computed with the weights divided by the
     * largest first and each term weighted before it is added, so any finite weights and values give a finite
     * mean: it lies between the smallest and the largest value (and is clamped there against rounding).
     */
    public static double weightedMean(List<LogRatioRecord> records, ToDoubleFunction<LogRatioRecord> f) {
        double max = maxWeight(records), total = 0;
        for (LogRatioRecord r : records) total += r.weight() / max;
        double mean = 0, lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (LogRatioRecord r : records) {
            if (r.weight() == 0) continue;   // 0 * infinity would be NaN
            double x = f.applyAsDouble(r);
            mean += r.weight() / max / total * x;
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        return Math.max(lo, Math.min(hi, mean));
    }

    /** (sum w)² / sum w² (Kish); see {@link #effectiveSampleSize()}. */
    public static double effectiveSampleSize(List<LogRatioRecord> records) {
        double max = maxWeight(records), total = 0, sumSq = 0;
        for (LogRatioRecord r : records) total += r.weight() / max;
        for (LogRatioRecord r : records) sumSq += (r.weight() / max / total) * (r.weight() / max / total);
        return 1 / sumSq;
    }

    /**
     * Everything the coverage command reports: record count, KL, cross-entropy and Cov_N with a 95% Wilson
     * interval for each N (n = Kish effective sample size), overall and per group in first-seen order.
     * Under exact enumeration the interval describes prompt sampling only roughly; the value is exact.
     */
    public static CoverageSummary summarize(List<LogRatioRecord> records, double[] ns) {
        Map<String, List<LogRatioRecord>> byGroup = new LinkedHashMap<>();
        for (LogRatioRecord r : records) byGroup.computeIfAbsent(r.group(), g -> new ArrayList<>()).add(r);
        Map<String, CoverageSummary> groups = new LinkedHashMap<>();
        for (Map.Entry<String, List<LogRatioRecord>> e : byGroup.entrySet())
            groups.put(e.getKey(), figures(e.getValue(), ns, Map.of()));
        return figures(records, ns, groups);
    }

    private static CoverageSummary figures(List<LogRatioRecord> records, double[] ns,
                                           Map<String, CoverageSummary> groups) {
        CoverageProfile profile = of(records);
        List<Estimate> coverage = new ArrayList<>(ns.length);
        for (double n : ns) {
            coverage.add(ConfidenceIntervals.wilson(profile.coverage(n), profile.effectiveSampleSize,
                    ConfidenceIntervals.Z_95));
        }
        List<Double> nList = new ArrayList<>(ns.length);
        for (double n : ns) nList.add(n);
        return new CoverageSummary(records.size(), profile.effectiveSampleSize, kl(records),
                crossEntropy(records), nList, coverage, groups);
    }

    /** {@code n} itself, after checking that it is a threshold N >= 1 (Def. 1.1). */
    public static double requireN(double n) {
        if (!(n >= 1)) throw new IllegalArgumentException("N must be a real number >= 1, got " + n);
        return n;
    }

    /** The largest weight, after checking that some record has weight > 0 (weights are finite and >= 0). */
    static double maxWeight(List<LogRatioRecord> records) {
        if (records.isEmpty()) throw new IllegalArgumentException("no records");
        double max = 0;
        for (LogRatioRecord r : records) max = Math.max(max, r.weight());
        if (!(max > 0)) throw new IllegalArgumentException("every record has weight 0; the weights need a positive sum");
        return max;
    }
}
