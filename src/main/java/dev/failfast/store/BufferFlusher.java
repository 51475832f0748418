package dev.failfast.store;

import dev.failfast.batch.Batch;
import dev.failfast.batch.Job;
import dev.failfast.logging.LogText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.NonTransientDataAccessException;
import org.springframework.dao.NonTransientDataAccessResourceException;

/**
 * Writes a {@link JdbcBatchStore}'s {@link WriteBehindBuffer}: a background thread
 * flushes it on a fixed cadence (sooner once {@code flushBatchSize} jobs are waiting),
 * and {@link #flush()} and {@link #flush(UUID)} write it at once. Every write of buffered
 * changes, and every delete of a batch that may be buffered, holds the flush lock: they
 * run one at a time, in order.
 */
final class BufferFlusher {

    // Logs as the store: the logger name operators know and configure stays the same.
    private static final Logger log = LoggerFactory.getLogger(JdbcBatchStore.class);

    private final WriteBehindBuffer buffer;

    private final JdbcWrites writes;

    /** Batches whose last write the database refused. Guarded by flushLock. */
    private final Set<UUID> refused = new HashSet<>();

    private final Duration flushInterval;

    private final int flushBatchSize;

    private final ReentrantLock flushLock = new ReentrantLock();

    /**
     * A permit asks the flusher to flush before its interval is up; one released
     * mid-flush is kept, not lost.
     */
    private final Semaphore flushWanted = new Semaphore(0);

    private final Thread flusher;

    private volatile boolean closed;

    BufferFlusher(WriteBehindBuffer buffer, JdbcWrites writes, Duration flushInterval, int flushBatchSize) {
        this.buffer = buffer;
        this.writes = writes;
        this.flushInterval = flushInterval;
        this.flushBatchSize = flushBatchSize;
        this.flusher = Thread.ofPlatform().name("failfast-store-flush").daemon().unstarted(this::flushLoop);
    }

    /** Starts the background flusher. */
    void start() {
        flusher.start();
    }

    /**
     * Buffers a change; the change that makes {@code flushBatchSize} jobs wait starts a
     * flush early.
     */
    void add(Batch batch, List<Job> changedJobs) {
        int buffered = buffer.add(batch, changedJobs);
        if (buffered >= flushBatchSize && buffered - changedJobs.size() < flushBatchSize) {
            flushWanted.release();
        }
    }

    /**
     * Holding the flush lock, takes this batch's buffered entry (its changes, coalesced)
     * and writes it in one transaction, fenced like every write. Holding the flush lock
     * keeps the order of writes: a flush in progress, which may be writing an older
     * version of this batch, commits first, and no flush writes this batch while this one
     * does. So it may wait for a flush in progress to end. If the write fails, the entry
     * goes back to the buffer, under any newer change, and the next flush writes it.
     */
    void flush(UUID batchId) {
        flushLock.lock();
        try {
            WriteBehindBuffer.Pending pending = buffer.beginFlush(batchId);
            if (pending == null) {
                return; // nothing buffered, or the flush that held the lock wrote it
            }
            try {
                writes.write(List.of(pending));
                buffer.flushCommitted(batchId);
                refused.remove(batchId);
            }
            finally {
                buffer.flushEnded();
            }
        }
        finally {
            flushLock.unlock();
        }
    }

    /**
     * Writes every buffered change now, in one transaction. If the database refuses the
     * data (not when it is unreachable), writes each batch in a transaction of its own,
     * so one batch it refuses does not hold up the others. A refused batch stays
     * buffered, and is written on its own at later flushes, until the database takes it.
     */
    void flush() {
        flushLock.lock();
        try {
            if (buffer.isEmpty()) {
                return;
            }
            List<WriteBehindBuffer.Pending> together = new ArrayList<>();
            List<WriteBehindBuffer.Pending> alone = new ArrayList<>();
            for (WriteBehindBuffer.Pending pending : buffer.beginFlush()) {
                (refused.contains(pending.batch.id()) ? alone : together).add(pending);
            }
            try {
                if (!together.isEmpty() && refusal(together) != null) {
                    alone.addAll(together); // refused as a whole: one at a time finds the
                                            // batch at fault
                }
                else {
                    together.forEach(batch -> buffer.flushCommitted(batch.batch.id()));
                }
                writeEachAlone(alone);
            }
            catch (DataAccessException e) {
                log.error("Writing buffered batch changes failed; retrying at the next flush", e);
            }
            catch (WriteFencedException e) {
                // The lease is lost (the service halts) or was released: nothing more may
                // be written.
                log.error("Buffered batch changes are not written: {}", e.getMessage());
            }
            finally {
                buffer.flushEnded();
            }
        }
        finally {
            flushLock.unlock();
        }
    }

    /**
     * Deletes the batch and forgets its buffered changes, holding the flush lock so that
     * no flush writes them meanwhile; the notifications its last buffered version causes
     * are recorded in the delete's transaction, so that a batch deleted before its end
     * was written still notifies it. Returns whether the batch existed.
     */
    boolean delete(UUID id) {
        flushLock.lock();
        try {
            boolean deleted = writes.delete(id, buffer.batch(id));
            buffer.discard(id);
            refused.remove(id);
            return deleted;
        }
        finally {
            flushLock.unlock();
        }
    }

    /**
     * Writes each batch in a transaction of its own, and logs those the database refuses.
     * Throws at an error that is not a refusal (the database is gone), leaving the rest
     * for the next flush.
     */
    private void writeEachAlone(List<WriteBehindBuffer.Pending> pending) {
        for (WriteBehindBuffer.Pending batch : pending) {
            UUID id = batch.batch.id();
            DataAccessException refusal = refusal(List.of(batch));
            if (refusal == null) {
                buffer.flushCommitted(id);
                refused.remove(id);
            }
            else {
                logRefused(id, refusal);
            }
        }
    }

    /**
     * Writes these batches in one transaction. Returns null once they are written, or the
     * error if the database refused the data; throws if it could not be reached.
     */
    private @Nullable DataAccessException refusal(List<WriteBehindBuffer.Pending> pending) {
        try {
            writes.write(pending);
            return null;
        }
        catch (DataAccessException e) {
            boolean refusesData = e instanceof NonTransientDataAccessException
                    && !(e instanceof NonTransientDataAccessResourceException);
            if (!refusesData) {
                throw e;
            }
            return e;
        }
    }

    /** Logs a batch the database refuses once as an error, then quietly at each retry. */
    private void logRefused(UUID batchId, DataAccessException e) {
        if (refused.add(batchId)) {
            log.error("The database refuses the changes of batch {}; they stay buffered and are retried at each flush",
                    batchId, e);
        }
        else {
            log.debug("The database still refuses the changes of batch {}: {}", batchId, LogText.of(e));
        }
    }

    /** Stops the background flusher and writes what is still buffered. */
    void close() {
        closed = true;
        flushWanted.release();
        try {
            flusher.join(Duration.ofSeconds(10));
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
    }

    /**
     * For tests: whether a thread waits for the flush lock (for a flush in progress to
     * end).
     */
    boolean hasFlushWaiters() {
        return flushLock.hasQueuedThreads();
    }

    /**
     * Flushes on a fixed cadence: each flush is due one interval after the previous one
     * started, not ended, so the time a flush takes is not added to the wait of the
     * changes that came meanwhile. A change waits for the flush that writes it to start
     * at most one interval, or, if the flush in progress takes longer, until that one
     * ends; the next then starts at once. A full buffer ({@code flushBatchSize}) starts
     * one early.
     */
    private void flushLoop() {
        long interval = flushInterval.toNanos();
        long due = System.nanoTime() + interval;
        while (!closed) {
            try {
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    flushWanted.tryAcquire(wait, TimeUnit.NANOSECONDS);
                }
                flushWanted.drainPermits();
            }
            catch (InterruptedException e) {
                return;
            }
            long started = System.nanoTime();
            try {
                flush();
            }
            catch (RuntimeException e) {
                log.error("Store flush failed", e);
            }
            due = started + interval;
        }
    }

}
