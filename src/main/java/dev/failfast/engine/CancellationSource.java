package dev.failfast.engine;

import dev.failfast.job.CancellationToken;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CancellationToken} that can be cancelled once, with a reason. Callbacks run on
 * the thread that cancels, outside any lock, in registration order.
 */
public final class CancellationSource implements CancellationToken {

    private static final Logger log = LoggerFactory.getLogger(CancellationSource.class);

    private volatile @Nullable StopReason reason;

    private @Nullable Set<Runnable> callbacks = new LinkedHashSet<>(); // null once
                                                                       // cancelled

    @Override
    public boolean isCancelled() {
        return reason != null;
    }

    public @Nullable StopReason reason() {
        return reason;
    }

    @Override
    public @Nullable String cancelReason() {
        StopReason why = reason;
        return why == null ? null : why.name();
    }

    /** Cancels the token and runs its callbacks; false if it was cancelled already. */
    public boolean cancel(StopReason why) {
        List<Runnable> toRun;
        synchronized (this) {
            if (reason != null) {
                return false;
            }
            reason = why;
            toRun = new ArrayList<>(callbacks);
            callbacks = null;
        }
        for (Runnable callback : toRun) {
            try {
                callback.run();
            }
            catch (RuntimeException e) {
                // One broken callback must not keep the others from stopping their work.
                log.warn("A cancel callback failed", e);
            }
        }
        return true;
    }

    @Override
    public Registration onCancel(Runnable callback) {
        synchronized (this) {
            if (callbacks != null) {
                callbacks.add(callback);
                return () -> remove(callback);
            }
        }
        callback.run();
        return () -> {
        };
    }

    private synchronized void remove(Runnable callback) {
        if (callbacks != null) {
            callbacks.remove(callback);
        }
    }

}
