package dev.failfast.batch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A batch as it stands at one moment: what was asked, where it is, and why it stopped.
 *
 * @param id time-ordered (version 7) UUID
 * @param owner the tenant it belongs to and who submitted it
 * @param spec what the client asked for (its job list is not kept here; jobs are stored
 * apart)
 * @param state where the batch is in its life cycle
 * @param createdAt when the batch was accepted
 * @param startedAt when its first job started
 * @param finishedAt when it became terminal
 * @param counts how many jobs are in each state
 * @param cancellation why it was cancelled, once it was
 * @param tally what its policies and stop report count beyond the jobs per state
 * @param pastRuns its runs before the current one, oldest first: empty until a redrive
 * @param redrive the redrive that started the current run; null in the first run
 */
public record Batch(UUID id, Owner owner, BatchSpec spec, BatchState state, Instant createdAt,
        @Nullable Instant startedAt, @Nullable Instant finishedAt, JobCounts counts,
        @Nullable CancellationCause cancellation, JobTally tally, List<RunSummary> pastRuns,
        @Nullable Redrive redrive) {

    public Batch {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(counts, "counts");
        Objects.requireNonNull(tally, "tally");
        pastRuns = List.copyOf(pastRuns);
        if (pastRuns.isEmpty() != (redrive == null)) {
            throw new IllegalArgumentException("a batch is in a redriven run exactly when it has past runs");
        }
    }

    /** A batch in its first run, with nothing tallied. */
    public Batch(UUID id, Owner owner, BatchSpec spec, BatchState state, Instant createdAt, @Nullable Instant startedAt,
            @Nullable Instant finishedAt, JobCounts counts, @Nullable CancellationCause cancellation) {
        this(id, owner, spec, state, createdAt, startedAt, finishedAt, counts, cancellation, JobTally.ZERO, List.of(),
                null);
    }

    /**
     * The FAILED jobs that failed in the current run: those a redrive kept FAILED failed
     * in an earlier one.
     */
    public int failedInRun() {
        return counts.failed() - (redrive == null ? 0 : redrive.keptFailures());
    }

    /** The number of the batch's current run: 1, then one more per redrive. */
    public int run() {
        return pastRuns.size() + 1;
    }

    /**
     * When the current run was queued: the batch's creation, or the redrive that started
     * the run. Its deadline counts from here.
     */
    public Instant runQueuedAt() {
        return redrive == null ? createdAt : redrive.requestedAt();
    }

    /** When the current run's deadline passes; null without a deadline. */
    public @Nullable Instant deadlineAt() {
        Duration deadline = spec.deadline();
        return deadline == null ? null : runQueuedAt().plus(deadline);
    }

    /**
     * The redrive sent with the idempotency key {@code key}, if one was: at most
     * {@code failfast.limits.max-redrives} are looked at.
     */
    public Optional<Redrive> redriveKeyed(String key) {
        List<Redrive> redrives = new ArrayList<>();
        pastRuns.forEach(past -> redrives.add(past.redrive()));
        redrives.add(redrive);
        return redrives.stream().filter(r -> r != null && key.equals(r.idempotencyKey())).findFirst();
    }

    /** A batch just accepted: QUEUED, every job PENDING. */
    public static Batch queued(UUID id, Owner owner, BatchSpec spec, Instant at) {
        return new Batch(id, owner, spec, BatchState.QUEUED, at, null, null, JobCounts.allPending(spec.jobs().size()),
                null);
    }

    /**
     * This batch after {@code n} of its jobs moved from state {@code from} to {@code to}.
     */
    public Batch withJobsMoved(JobState from, JobState to, int n) {
        if (n == 0) {
            return this;
        }
        JobCounts moved = counts.moved(from, to, n);
        return new Batch(id, owner, spec, state, createdAt, startedAt, finishedAt, moved,
                reported(report -> report.moved(from, to, n), moved, tally), tally, pastRuns, redrive);
    }

    /**
     * This batch after one job moved from {@code before}'s state to {@code after}'s: its
     * counts and its tally follow.
     */
    public Batch withJobMoved(Job before, Job after) {
        return moved(before.state(), after, tally.moved(before, after, spec.policies()));
    }

    /**
     * This batch after one job moved from {@code from}, PENDING or RUNNING, to
     * {@code after}'s state, where the job as it was is not at hand (a cluster
     * transaction writes what a replica's attempt left): counts, tally and stop report
     * follow.
     */
    public Batch withJobMoved(JobState from, Job after) {
        if (from.isTerminal()) {
            throw new IllegalArgumentException("a job that was " + from + " needs its state before the move");
        }
        return moved(from, after, tally.movedFromUnfinished(after, spec.policies()));
    }

    /**
     * This batch after one job moved from state {@code from} to {@code after}: counted,
     * its policies' tally as {@code policyTally} says, its duration tallied if it
     * succeeded, and counted in the stop report while the batch stops.
     */
    private Batch moved(JobState from, Job after, JobTally policyTally) {
        JobState to = after.state();
        if (from == to) {
            return this;
        }
        JobCounts moved = counts.moved(from, to, 1);
        JobTally tallied = to == JobState.SUCCEEDED ? policyTally.withSucceeded(lastAttemptMillis(after)) : policyTally;
        boolean stopped = from == JobState.RUNNING && to == JobState.CANCELLED;
        CancellationCause reported = reported(
                report -> stopped ? report.moved(from, to, 1).stopped(after) : report.moved(from, to, 1), moved,
                tallied);
        return new Batch(id, owner, spec, state, createdAt, startedAt, finishedAt, moved, reported, tallied, pastRuns,
                redrive);
    }

    /**
     * Failed jobs whose failure counts (toward the tolerance and the end state): those an
     * {@code IGNORE} rule excused are not.
     */
    public int countedFailures() {
        return counts.failed() - tally.ignoredFailures();
    }

    /**
     * The cause with its stop report changed by {@code change} and its estimate of the
     * work saved as {@code after} and {@code afterTally} stand, while the stop runs; as
     * it is otherwise.
     */
    private @Nullable CancellationCause reported(UnaryOperator<StopReport> change, JobCounts after,
            JobTally afterTally) {
        if (cancellation == null || cancellation.report() == null || cancellation.completedAt() != null) {
            return cancellation;
        }
        return cancellation.withReport(change.apply(cancellation.report()).estimated(after, afterTally));
    }

    /**
     * How long the last attempt of a succeeded job took: its record's, or the job's whole
     * run where it has none.
     */
    private static long lastAttemptMillis(Job job) {
        AttemptRecord last = job.lastAttempt();
        Duration elapsed = last == null ? null : last.elapsed();
        if (elapsed != null) {
            return elapsed.toMillis();
        }
        Long whole = job.durationMillis();
        return whole == null ? 0 : whole;
    }

    // ---- transitions: each checks the move against BatchState's table
    // -------------------------------------

    /**
     * A client redrove this terminal batch: the run that ended becomes a past run, and a
     * new one is QUEUED, with no cause and no start. Its jobs are moved back to PENDING
     * apart, each by {@link Job#redriven} and {@link #withJobMoved(Job, Job)}; the jobs
     * that succeeded, and the tally they make, are kept.
     */
    public Batch redriven(Redrive by) {
        BatchState next = to(BatchState.QUEUED);
        Instant finished = Objects.requireNonNull(finishedAt, "a terminal batch has finished");
        List<RunSummary> runs = new ArrayList<>(pastRuns);
        runs.add(new RunSummary(run(), runQueuedAt(), startedAt, finished, state, cancellation, redrive));
        return new Batch(id, owner, spec, next, createdAt, null, null, counts, null, tally, runs, by);
    }

    /**
     * Its first job started at {@code at}: RUNNING (a batch already RUNNING stays as it
     * is).
     */
    public Batch started(Instant at) {
        if (state == BatchState.RUNNING) {
            return this;
        }
        return new Batch(id, owner, spec, to(BatchState.RUNNING), createdAt, at, finishedAt, counts, cancellation,
                tally, pastRuns, redrive);
    }

    /**
     * Its cancellation cause was recorded: CANCELLING until its running jobs stop. The
     * cause's stop report starts here, with the jobs running now: record the cause before
     * the jobs it skips and stops move, and they are counted in it.
     */
    public Batch cancelling(CancellationCause cause) {
        CancellationCause reported = cause.report() != null ? cause
                : cause.withReport(StopReport.atCause(counts.running()).estimated(counts, tally));
        return new Batch(id, owner, spec, to(BatchState.CANCELLING), createdAt, startedAt, finishedAt, counts, reported,
                tally, pastRuns, redrive);
    }

    /**
     * Ended in {@code terminal} at {@code at}, with {@code cause} (already completed) if
     * it has one.
     */
    public Batch ended(BatchState terminal, @Nullable CancellationCause cause, Instant at) {
        return new Batch(id, owner, spec, to(terminal), createdAt, startedAt, at, counts, cause, tally, pastRuns,
                redrive);
    }

    /**
     * This batch ended at {@code at} if nothing is left to do (see
     * {@link #terminalStateIfDone}), else itself.
     */
    public Batch endedIfDone(Instant at) {
        BatchState terminal = terminalStateIfDone();
        if (terminal == null) {
            return this;
        }
        return ended(terminal, cancellation == null ? null : cancellation.completed(at), at);
    }

    /**
     * The cause that {@code moved}'s move to its (terminal) state records, the move
     * already counted in this batch: null while the batch's policies let it go on, and
     * always null once it has a cause. Both engines ask it after every job that ends.
     * First that applies wins:
     * <ol>
     * <li>a counted failure matched by an {@code onError} rule whose action is
     * FAIL_BATCH: JOB_FAILED, naming the rule, whatever the failure policy;
     * <li>under FAIL_FAST, a counted failure beyond {@code maxFailures}: JOB_FAILED
     * ({@code maxFailures} 0) or MAX_FAILURES_EXCEEDED;
     * <li>under FAIL_FAST, the counted failures crossing {@code maxFailureRatio}
     * ({@link BatchPolicies#failureRatioCrossed}): FAILURE_RATIO_EXCEEDED;
     * <li>a success that meets {@code succeedWhen}: SUCCESS_POLICY_MET, judged before the
     * ratio (a batch that met its own definition of success succeeded);
     * <li>any other end after which {@code succeedWhen} can no longer be met:
     * SUCCESS_POLICY_UNREACHABLE.
     * </ol>
     * O(1) but for the rules tried on a failure (bounded, see {@link ErrorRule}).
     */
    public @Nullable CancellationCause causeAfterMove(Job moved, Instant at) {
        if (cancellation != null || state.isTerminal() || !moved.state().isTerminal()) {
            return null;
        }
        SuccessPolicy success = spec.policies().succeedWhen();
        if (moved.state() == JobState.SUCCEEDED) {
            String met = success == null ? null : success.metBy(counts, tally);
            if (met != null) {
                return CancellationCause.byPolicy(CauseType.SUCCESS_POLICY_MET, moved.id(), null, met, at);
            }
            return ratioCrossed(moved, at);
        }
        boolean countedFailure = moved.state() == JobState.FAILED && !moved.ignored();
        if (countedFailure) {
            JobError error = Objects.requireNonNull(moved.error(), "a failed job carries its last attempt's error");
            BatchPolicies.MatchedRule match = spec.policies().ruleFor(error);
            if (match != null && match.rule().action() == ErrorAction.FAIL_BATCH) {
                return CancellationCause.failBatchRule(match.path(), moved.id(), error, at);
            }
            CauseType type = spec.causeAfterFailures(countedFailures());
            if (type != null) {
                return CancellationCause.jobFailed(type, moved.id(), error, at);
            }
        }
        CancellationCause ratio = ratioCrossed(moved, at);
        if (ratio != null) {
            return ratio;
        }
        String unreachable = success == null ? null : success.unreachableAfter(moved, counts);
        return unreachable == null ? null : CancellationCause.byPolicy(CauseType.SUCCESS_POLICY_UNREACHABLE, moved.id(),
                moved.error(), unreachable, at);
    }

    /**
     * The ratio is judged after every end, not only after failures: a success can bring
     * the finished jobs up to {@code minJobsForRatio}, and an ignored failure takes a job
     * out of the batch's counted ones.
     */
    private @Nullable CancellationCause ratioCrossed(Job moved, Instant at) {
        if (spec.failurePolicy() != FailurePolicy.FAIL_FAST) {
            return null;
        }
        String crossed = spec.policies()
            .failureRatioCrossed(countedFailures(), counts.succeeded(), counts.pending() + counts.running());
        if (crossed == null) {
            return null;
        }
        boolean countedFailure = moved.state() == JobState.FAILED && !moved.ignored();
        return CancellationCause.byPolicy(CauseType.FAILURE_RATIO_EXCEEDED, countedFailure ? moved.id() : null,
                countedFailure ? moved.error() : null, crossed, at);
    }

    /**
     * The terminal state this batch has reached if nothing is left to do, else null: with
     * a cause, once no job runs, the cause's terminal state; without, once no job waits
     * or runs, FAILED if a job failed and its failure counts ({@link #countedFailures}),
     * SUCCEEDED otherwise.
     */
    public @Nullable BatchState terminalStateIfDone() {
        if (state.isTerminal()) {
            return null;
        }
        if (cancellation != null) {
            return counts.running() == 0 ? cancellation.cause().terminalState() : null;
        }
        if (counts.pending() > 0 || counts.running() > 0) {
            return null;
        }
        return countedFailures() > 0 ? BatchState.FAILED : BatchState.SUCCEEDED;
    }

    private BatchState to(BatchState next) {
        return state.transitionTo(next);
    }
}
