package dev.failfast.job;

import java.util.UUID;

/**
 * The header every {@code http} job request carries, naming the batch and job that sent
 * it. A job's own headers may not set it, and the service refuses every request that
 * carries it, so that a job cannot call Failfast itself, however it reaches it (its pod
 * address, its service name, a public ingress), to multiply itself.
 */
public final class HttpLoopMarker {

    /** The header's name. */
    public static final String HEADER = "Failfast-Origin";

    private HttpLoopMarker() {
    }

    /** The header's value for a job: {@code <batchId>/<jobId>}. */
    static String value(UUID batchId, String jobId) {
        // Job ids are letters, digits and ._:- (the API checks them); anything else is
        // dropped rather than sent raw in a header.
        return batchId + "/" + jobId.replaceAll("[^A-Za-z0-9._:-]", "");
    }

}
