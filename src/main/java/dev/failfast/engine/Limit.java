package dev.failfast.engine;

/**
 * A cap whose refusal the API answers with a 429 ({@link LimitExceededException}): the
 * admission limits of batches ({@link AdmissionLimit}) and the caps of event streams.
 * Each names itself, so one handler builds every such problem.
 */
public interface Limit {

    /**
     * How the API names it in the problem's {@code limit} member (and metrics in their
     * {@code limit} tag): stable, clients branch on it.
     */
    String wireName();

    /** The problem's title: what there would be too much of. */
    String title();

    /**
     * The last segment of the problem's {@code type} URI, shared by the limits of one
     * kind of refusal (a batch not admitted, a stream not opened): stable, clients branch
     * on it.
     */
    String problemKind();

}
