package dev.failfast.batch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A job's attempt records and how many were dropped to bound them: the edits
 * {@link Job}'s transitions make to its history, in one place. See {@link Job} for which
 * transition makes which edit.
 *
 * <p>
 * At most {@link #MAX_RECORDS} records are kept: the first attempt's, and the latest
 * ones. A record added past the bound drops the oldest record but the first, and counts
 * it in {@code dropped}, so a job retried, deferred or redriven many times keeps a row of
 * bounded size.
 *
 * @param records oldest first
 * @param dropped records left out, from between the first and the others
 */
record AttemptHistory(List<AttemptRecord> records, int dropped) {

    /** The most records a job keeps. */
    static final int MAX_RECORDS = 50;

    AttemptHistory {
        records = List.copyOf(records);
    }

    /**
     * Attempt {@code number} of run {@code run} started at {@code at}. Starting the
     * attempt whose record is open again (a cluster replica writes a retry's attempt
     * number before a thread starts it) moves that record's start; an open record of
     * another attempt was cut short unseen, and is closed INTERRUPTED.
     */
    AttemptHistory opened(int run, int number, Instant at) {
        AttemptRecord last = open();
        if (last != null && last.run() == run && last.number() == number) {
            return replaceLast(new AttemptRecord(run, number, at, null, null, null, last.rule(), last.backoff(),
                    last.backoffReason(), false));
        }
        AttemptHistory before = last == null ? this : ended(AttemptRecord.End.INTERRUPTED, null, false, at);
        return before.appended(new AttemptRecord(run, number, at, null, null, null, null, null, null, false));
    }

    /**
     * The open record ends at {@code at} as {@code end}. With no open record this changes
     * nothing, except for an INTERRUPTED end of attempt {@code number} that has no record
     * at all (a cluster replica writes an attempt's start with its outcome, so one lost
     * while the attempt ran left none): a record of it is added, started at
     * {@code claimedAt} for a first attempt (the claim's time), else at {@code at}.
     */
    AttemptHistory ended(AttemptRecord.End end, @Nullable JobError error, boolean abandoned, Instant at, int run,
            int number, @Nullable Instant claimedAt) {
        if (open() != null) {
            return ended(end, error, abandoned, at);
        }
        if (end != AttemptRecord.End.INTERRUPTED || number < 1 || has(run, number)) {
            return this;
        }
        Instant started = number == 1 && claimedAt != null && !claimedAt.isAfter(at) ? claimedAt : at;
        return appended(new AttemptRecord(run, number, started, at, end, error, null, null, null, abandoned));
    }

    /**
     * A claimed attempt that never started is withdrawn: its record, if it was written (a
     * retry's attempt number is written before it starts), is removed.
     */
    AttemptHistory withdrawn(int run, int number) {
        AttemptRecord last = open();
        if (last == null || last.run() != run || last.number() != number) {
            return this;
        }
        return new AttemptHistory(records.subList(0, records.size() - 1), dropped);
    }

    /** The record of the attempt running now, if its start was recorded. */
    @Nullable AttemptRecord open() {
        if (records.isEmpty()) {
            return null;
        }
        AttemptRecord last = records.getLast();
        return last.endedAt() == null ? last : null;
    }

    /** How an attempt that ended with {@code error} ended. */
    static AttemptRecord.End endOf(JobError error) {
        return switch (error.type()) {
            case JobError.TIMEOUT -> AttemptRecord.End.TIMED_OUT;
            case JobError.INTERRUPTED -> AttemptRecord.End.INTERRUPTED;
            default -> AttemptRecord.End.FAILED;
        };
    }

    private AttemptHistory ended(AttemptRecord.End end, @Nullable JobError error, boolean abandoned, Instant at) {
        AttemptRecord last = records.getLast();
        Instant ended = at.isBefore(last.startedAt()) ? last.startedAt() : at;
        return replaceLast(new AttemptRecord(last.run(), last.number(), last.startedAt(), ended, end, error,
                last.rule(), last.backoff(), last.backoffReason(), abandoned));
    }

    private boolean has(int run, int number) {
        for (int i = records.size() - 1; i >= 0; i--) {
            AttemptRecord r = records.get(i);
            if (r.run() == run && r.number() == number) {
                return true;
            }
            if (r.run() < run || (r.run() == run && r.number() < number)) {
                return false;
            }
        }
        return false;
    }

    private AttemptHistory replaceLast(AttemptRecord changed) {
        List<AttemptRecord> next = new ArrayList<>(records);
        next.set(next.size() - 1, changed);
        return new AttemptHistory(next, dropped);
    }

    private AttemptHistory appended(AttemptRecord added) {
        List<AttemptRecord> next = new ArrayList<>(records.size() + 1);
        next.addAll(records);
        int droppedNow = dropped;
        if (next.size() >= MAX_RECORDS) {
            next.remove(1); // the first attempt's record stays: how the job began
            droppedNow++;
        }
        next.add(added);
        return new AttemptHistory(next, droppedNow);
    }

}
