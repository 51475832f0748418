package dev.failfast.engine;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchStateConflictException;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobState;
import dev.failfast.batch.Redrive;
import dev.failfast.batch.SuccessPolicy;
import dev.failfast.store.IdempotencyKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The next run of a terminal batch as a redrive asks for it: the jobs the selection takes
 * (checked against the batch), the batch QUEUED for the run, and its jobs with those
 * PENDING again. Built before anything is stored, so a refused redrive changes nothing.
 *
 * @param batch the batch in its new run, counts and tally following the jobs
 * @param jobs all its jobs, in submission order, as the run starts
 * @param redriven those of them that run again
 */
record RedrivePlan(Batch batch, List<Job> jobs, List<Job> redriven) {

    /**
     * @throws InvalidBatchException when {@code jobIds} repeats an id, names a job the
     * batch does not have, or one not in the selection's states
     * @throws BatchStateConflictException when no job of the batch is in the selection
     */
    static RedrivePlan of(Batch terminal, List<Job> jobs, RedriveSelection selection, Instant at, String requestedBy,
            @Nullable IdempotencyKey key) {
        Set<String> chosen = chosen(terminal, jobs, selection);
        int redrivenFailures = (int) jobs.stream()
            .filter(job -> job.state() == JobState.FAILED && chosen.contains(job.id()))
            .count();
        Redrive redrive = new Redrive(at, requestedBy, chosen.size(), key == null ? null : key.key(),
                key == null ? null : key.requestFingerprint(), terminal.counts().failed() - redrivenFailures);
        Batch next = terminal.redriven(redrive);
        List<Job> all = new ArrayList<>(jobs.size());
        List<Job> redriven = new ArrayList<>(chosen.size());
        for (Job job : jobs) {
            if (chosen.contains(job.id())) {
                Job again = job.redriven(next.run());
                next = next.withJobMoved(job, again);
                redriven.add(again);
                all.add(again);
            }
            else {
                all.add(job);
            }
        }
        SuccessPolicy success = next.spec().policies().succeedWhen();
        String met = success == null ? null : success.metBy(next.counts(), next.tally());
        if (met != null) {
            // Its first job to end would record SUCCESS_POLICY_MET and stop the rest
            // again.
            throw new BatchStateConflictException(terminal.id(), terminal.state(),
                    "its success policy is met by the jobs that succeeded (" + met + "): a redrive would stop at once");
        }
        return new RedrivePlan(next, all, redriven);
    }

    /**
     * Whether the batch's counts show a job the selection may take, so that the jobs need
     * not be read to refuse a redrive that has nothing to run.
     */
    static boolean mayTakeAJob(Batch batch, RedriveSelection selection) {
        return selection.states().stream().anyMatch(state -> batch.counts().of(state) > 0);
    }

    private static Set<String> chosen(Batch batch, List<Job> jobs, RedriveSelection selection) {
        List<String> ids = selection.jobIds();
        if (ids == null) {
            Set<String> chosen = jobs.stream()
                .filter(job -> selection.states().contains(job.state()))
                .map(Job::id)
                .collect(Collectors.toCollection(HashSet::new));
            if (chosen.isEmpty()) {
                throw nothingToRedrive(batch, selection);
            }
            return chosen;
        }
        Map<String, Job> byId = HashMap.newHashMap(jobs.size());
        jobs.forEach(job -> byId.put(job.id(), job));
        List<InvalidBatchException.Violation> violations = new ArrayList<>();
        Set<String> chosen = new HashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            Job job = byId.get(id);
            String field = "jobIds[" + i + "]";
            if (!chosen.add(id)) {
                violations.add(new InvalidBatchException.Violation(field, "repeats a job id given before it"));
            }
            else if (job == null) {
                violations.add(new InvalidBatchException.Violation(field, "the batch has no job with this id"));
            }
            else if (!selection.states().contains(job.state())) {
                violations.add(new InvalidBatchException.Violation(field,
                        "the job is " + job.state() + "; a redrive runs jobs in " + sorted(selection)));
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidBatchException(violations);
        }
        return chosen;
    }

    static BatchStateConflictException nothingToRedrive(Batch batch, RedriveSelection selection) {
        return new BatchStateConflictException(batch.id(), batch.state(),
                "it has no job in " + sorted(selection) + " to redrive");
    }

    private static List<String> sorted(RedriveSelection selection) {
        return selection.states().stream().sorted().map(Enum::name).toList();
    }

}
