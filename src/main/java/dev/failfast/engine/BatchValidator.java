package dev.failfast.engine;

import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.JobSpec;
import dev.failfast.engine.InvalidBatchException.Violation;
import dev.failfast.job.InvalidJobParamsException;
import dev.failfast.job.JobHandler;
import dev.failfast.job.JobHandlers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks what only the engine knows: every job's type exists, its params are valid for that type,
 * and job ids are unique. Reports at most {@link #MAX_VIOLATIONS} problems, so that a bad 100 000-job
 * batch gets a readable answer.
 */
final class BatchValidator {

    static final int MAX_VIOLATIONS = 100;

    private final JobHandlers handlers;
    private final int maxJobsPerBatch;

    BatchValidator(JobHandlers handlers, int maxJobsPerBatch) {
        this.handlers = handlers;
        this.maxJobsPerBatch = maxJobsPerBatch;
    }

    void validate(BatchSpec spec) {
        if (spec.jobs().isEmpty()) {
            throw new InvalidBatchException(List.of(new Violation("jobs", "a batch needs at least one job")));
        }
        if (spec.jobs().size() > maxJobsPerBatch) {
            throw new InvalidBatchException(List.of(new Violation("jobs",
                    "a batch may have at most " + maxJobsPerBatch + " jobs, this one has " + spec.jobs().size())));
        }
        List<Violation> violations = new ArrayList<>();
        Map<String, Integer> firstIndexById = new HashMap<>();
        List<JobSpec> jobs = spec.jobs();
        for (int i = 0; i < jobs.size() && violations.size() < MAX_VIOLATIONS; i++) {
            JobSpec job = jobs.get(i);
            String path = "jobs[" + i + "]";
            Integer first = firstIndexById.putIfAbsent(job.id(), i);
            if (first != null) {
                violations.add(new Violation(path + ".id", "duplicate job id '" + job.id() + "' (also jobs[" + first + "])"));
            }
            Optional<JobHandler<?>> handler = handlers.find(job.type());
            if (handler.isEmpty()) {
                violations.add(new Violation(path + ".type",
                        "unknown job type '" + job.type() + "'; known types: " + handlers.types()));
                continue;
            }
            try {
                handler.get().parseParams(job.params());
            } catch (InvalidJobParamsException e) {
                e.errors().forEach(error -> violations.add(new Violation(path + ".params." + error.param(), error.message())));
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidBatchException(violations.subList(0, Math.min(violations.size(), MAX_VIOLATIONS)));
        }
    }
}
