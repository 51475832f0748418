package dev.failfast.job;

import java.io.IOException;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.jspecify.annotations.Nullable;

/**
 * An {@code http} job's request in flight, which cancellation and the deadline abort; an
 * abort that comes before a request starts aborts it as it starts.
 */
final class HttpExchange {

    private @Nullable HttpUriRequestBase request;

    private boolean stopped;

    private boolean timedOut;

    private boolean drained;

    synchronized void start(HttpUriRequestBase next) {
        request = next;
        if (stopped) {
            next.cancel();
        }
    }

    void cancel() {
        stop(false);
    }

    void timeOut() {
        stop(true);
    }

    /** The response body was read to its end: the connection may be reused. */
    synchronized void drained() {
        drained = true;
    }

    /**
     * Closes the response. Closing a body that was not read to its end would read the
     * rest (to keep the connection), however long: the connection is closed instead.
     */
    void release(ClassicHttpResponse response) {
        HttpUriRequestBase current;
        synchronized (this) {
            current = drained ? null : request;
        }
        if (current != null) {
            current.cancel();
        }
        try {
            response.close();
        }
        catch (IOException e) {
            // The connection is gone either way; the job's outcome is already
            // decided.
        }
    }

    synchronized boolean stopped() {
        return stopped;
    }

    synchronized boolean timedOut() {
        return timedOut;
    }

    private synchronized void stop(boolean byDeadline) {
        if (!stopped) {
            stopped = true;
            timedOut = byDeadline;
        }
        if (request != null) {
            request.cancel();
        }
    }

}
