package dev.failfast.api;

import dev.failfast.batch.JobState;
import dev.failfast.engine.RedriveSelection;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which jobs of a terminal batch to run again; with neither member, every FAILED,
 * CANCELLED and SKIPPED one.
 *
 * @param states only jobs in these states
 * @param jobIds only these jobs
 */
@Schema(description = "Which jobs to run again: those in states (default FAILED, CANCELLED and SKIPPED), and of "
        + "them only those listed in jobIds, if given. An empty body, or none, runs every FAILED, CANCELLED and "
        + "SKIPPED job")
record RedriveRequest(@ArraySchema(schema = @Schema(allowableValues = {
        "FAILED", "CANCELLED", "SKIPPED" }),
        arraySchema = @Schema(description = "Run again only jobs in these states; a SUCCEEDED job keeps "
                + "its result and is never run again", example = "[\"FAILED\"]")) @Size(min = 1,
                        max = 3) @Nullable List<@NotNull JobState> states,
        @ArraySchema(arraySchema = @Schema(
                description = "Run again only these jobs, by the ids they were "
                        + "submitted with; each must be in one of states",
                example = "[\"download-1\", \"download-3\"]"), schema = @Schema(example = "download-1")) @Size(min = 1,
                        max = 100_000) @Nullable List<@NotNull @Pattern(regexp = BatchRequest.JOB_ID,
                                message = "must match " + BatchRequest.JOB_ID) String> jobIds){

    /** What a redrive with no body asks for. */
    static final RedriveRequest EVERY_STOPPED_JOB = new RedriveRequest(null, null);

    /**
     * One request per selection, its states and ids sorted: what an Idempotency-Key's
     * fingerprint is taken of.
     */
    static RedriveRequest canonical(RedriveSelection selection) {
        List<String> ids = selection.jobIds();
        return new RedriveRequest(selection.states().stream().sorted().toList(),
                ids == null ? null : ids.stream().sorted().toList());
    }

    /**
     * The selection the engine applies.
     * @throws InvalidFieldsException when a state is not one a job is redriven from, or
     * repeats
     */
    RedriveSelection toSelection() {
        if (states == null) {
            return new RedriveSelection(RedriveSelection.REDRIVABLE, jobIds);
        }
        List<ProblemHandler.FieldProblem> problems = new ArrayList<>();
        Set<JobState> chosen = EnumSet.noneOf(JobState.class);
        for (int i = 0; i < states.size(); i++) {
            JobState state = states.get(i);
            if (!RedriveSelection.REDRIVABLE.contains(state)) {
                problems.add(new ProblemHandler.FieldProblem("states[" + i + "]",
                        "a job is redriven from FAILED, " + "CANCELLED or SKIPPED, not " + state
                                + (state == JobState.SUCCEEDED ? ": a succeeded job keeps its result"
                                        : ": a terminal batch has no such job")));
            }
            else if (!chosen.add(state)) {
                problems.add(new ProblemHandler.FieldProblem("states[" + i + "]", "repeats " + state));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidFieldsException(problems);
        }
        return new RedriveSelection(chosen, jobIds);
    }

}
