package dev.failfast.store;

/**
 * A write to the store was refused because this process no longer holds the database's
 * instance lease: another instance took it over, and may be settling this one's batches.
 * Nothing was written; the process halts as for any lost lease.
 */
public class WriteFencedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public WriteFencedException(String owner, String holder) {
        super(("This Failfast instance (%s) no longer holds the lease on the database (%s): the write is refused, "
                + "so that it cannot overwrite the instance that took over")
            .formatted(owner, holder.isEmpty() ? "the lease is free" : "held by " + holder));
    }

}
