package dev.failfast.client;

import java.lang.System.Logger.Level;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One claimed attempt on its way through the worker: run by a handler thread, cancelled (token
 * set, thread interrupted, callbacks run) by whichever thread learns of the cancel, reported
 * once, then its slot is given back.
 */
final class RunningAttempt implements Runnable {

    private static final System.Logger LOG = System.getLogger(RunningAttempt.class.getName());

    /** The service's limit of a failure message. */
    private static final int MAX_MESSAGE = 2000;

    /** Reports an attempt's end; the worker's side. */
    interface Reporter {

        /** Sends {@code body} to {@code complete} or {@code fail} of the attempt, then gives back its slot. */
        void report(RunningAttempt attempt, String outcome, ObjectNode body);

    }

    final String sessionId;

    final Job job;

    private final JobHandler handler;

    private final Reporter reporter;

    /** Whether the attempt holds one of the worker's slots (false only for a claim beyond what was asked). */
    final boolean holdsSlot;

    private final Object lock = new Object();

    private Thread thread;

    private boolean finished;

    RunningAttempt(String sessionId, Job job, JobHandler handler, Reporter reporter, boolean holdsSlot) {
        this.sessionId = sessionId;
        this.job = job;
        this.handler = handler;
        this.reporter = reporter;
        this.holdsSlot = holdsSlot;
    }

    /** Cancels the attempt: the token, the handler's thread, the callbacks; once. */
    void cancel(String reason) {
        boolean first = job.token().cancel(reason, () -> {
            synchronized (lock) {
                if (thread != null && !finished) {
                    thread.interrupt();
                }
            }
        });
        if (first) {
            LOG.log(Level.DEBUG, "{0} cancelled: {1}", job, reason);
        }
    }

    @Override
    public void run() {
        Thread current = Thread.currentThread();
        String threadName = current.getName();
        synchronized (lock) {
            thread = current;
        }
        Object result = null;
        Throwable error = null;
        try {
            current.setName(threadName + " " + job.batchId() + "/" + job.jobId());
            if (!job.token().isCancelled()) {
                result = handler.handle(job);
            }
        }
        catch (Throwable t) {
            error = t;
        }
        finally {
            synchronized (lock) {
                finished = true;
                thread = null;
            }
            // A cancel's interrupt is spent: the report's HTTP call must not see it, nor the
            // next attempt on this pooled thread.
            Thread.interrupted();
            current.setName(threadName);
        }
        ObjectNode body = body(result, error);
        reporter.report(this, body.has("errorType") ? "fail" : "complete", body);
        if (error instanceof VirtualMachineError fatal) {
            throw fatal;
        }
    }

    private ObjectNode body(Object result, Throwable error) {
        ObjectNode body = Transport.JSON.createObjectNode();
        if (job.token().isCancelled()) {
            String message = "Cancelled (" + job.token().reason() + ")";
            if (error != null && !(error instanceof JobCancelledException) && !(error instanceof InterruptedException)) {
                message += " and then: " + describe(error);
            }
            return body.put("errorType", "CANCELLED").put("message", cut(message));
        }
        if (error instanceof JobFailedException failed) {
            body.put("errorType", failed.errorType());
            if (failed.getMessage() != null) {
                body.put("message", cut(failed.getMessage()));
            }
            if (failed.status() != null) {
                body.put("status", failed.status());
            }
            if (failed.retryAfter() != null) {
                body.put("retryAfter", failed.retryAfter().toString());
            }
            return body;
        }
        if (error != null) {
            LOG.log(Level.DEBUG, job + " failed", error);
            return body.put("errorType", "JOB_ERROR").put("message", cut(describe(error)));
        }
        if (result != null) {
            try {
                JsonNode json = Transport.JSON.valueToTree(result);
                if (json != null) {
                    body.set("result", json);
                }
            }
            catch (JacksonException notJson) {
                return body.put("errorType", "JOB_ERROR")
                    .put("message", cut("The handler's result cannot be written as JSON: " + notJson.getMessage()));
            }
        }
        return body;
    }

    private static String describe(Throwable error) {
        String message = error.getMessage();
        return message == null || message.isBlank() ? error.getClass().getName() : message;
    }

    private static String cut(String message) {
        return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE - 1) + "…";
    }

}
