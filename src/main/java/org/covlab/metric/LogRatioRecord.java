package org.covlab.metric;

import java.util.Objects;

/**
 * One (prompt, response) pair seen through both distributions: the unit every metric in covlab is computed from.
 * The log density ratio is {@code logpData - logpModel} = log pi_D(y|x) / pi_hat(y|x) (Remark 2.1);
 * KL is its weighted mean and Cov_N its tail mass at log N.
 *
 * @param id        which prompt (and response) this is
 * @param group     the class, e.g. "G1"; metrics are also reported per group
 * @param weight    the record's share of the expectation (mu-weight times pi_D(y|x) under exact
 *                  enumeration, 1 for a sample); normalised to sum to 1 by the metrics
 * @param logpData  log pi_D(y|x), finite and at most 0
 * @param logpModel log pi_hat(y|x), at most 0; -infinity when the model gives y no mass
 */
public record LogRatioRecord(String id, String group, double weight, double logpData, double logpModel) {

    public LogRatioRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(group, "group");
        if (!(weight >= 0) || Double.isInfinite(weight))
            throw new IllegalArgumentException("weight must be finite and >= 0, got " + weight);
        if (!(logpData <= 0) || Double.isInfinite(logpData))
            throw new IllegalArgumentException("logp_data must be finite and <= 0, got " + logpData);
        if (!(logpModel <= 0))
            throw new IllegalArgumentException("logp_model must be <= 0, got " + logpModel);
    }

    /** log pi_D(y|x) - log pi_hat(y|x); +infinity when the model gives y no mass. */
    public double logRatio() {
        return logpData - logpModel;
    }

    /** The prompt this record belongs to by its id: the id up to its last '/' (eval's "G1/x17/y5": "G1/x17"), else the id. */
    public String promptId() {
        int slash = id.lastIndexOf('/');
        return slash < 0 ? id : id.substring(0, slash);
    }
}
