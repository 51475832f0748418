package dev.failfast.job;

import org.jspecify.annotations.Nullable;

/**
 * Tells a running job that it should stop. A job sees it cancelled when its batch is
 * cancelled (any cause) or when its attempt runs past the job's timeout.
 */
public interface CancellationToken {

    boolean isCancelled();

    /**
     * Why the token was cancelled, for telling someone else to stop:
     * {@code BATCH_CANCELLED} (the batch's cause, a user's cancel, its deadline) or
     * {@code TIMEOUT} (the attempt ran past its job's timeout); null while it is not.
     */
    default @Nullable String cancelReason() {
        return null;
    }

    /** Throws {@link JobCancelledException} once the token is cancelled. */
    default void throwIfCancelled() {
        if (isCancelled()) {
            throw new JobCancelledException();
        }
    }

    /**
     * Runs {@code callback} when the token is cancelled, at once if it already is. Use it
     * to abort what an interrupt does not reach (a socket, a child process, a remote
     * call).
     * @return closes the registration, for callbacks that outlive their use
     */
    Registration onCancel(Runnable callback);

    /** Undoes an {@link #onCancel} registration. */
    @FunctionalInterface
    interface Registration extends AutoCloseable {

        @Override
        void close();

    }

}
