package dev.failfast.api;

import dev.failfast.batch.Caller;
import dev.failfast.batch.JobError;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.worker.AttemptReport;
import dev.failfast.worker.RemoteAttempts;
import dev.failfast.worker.UnknownWorkerException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The worker protocol (docs/workers.md): processes in any language register for
 * {@code remote:<name>} job types, claim attempts with a long poll, heartbeat, report the
 * outcome, and hold a stream on which each cancel is pushed at once.
 */
@RestController
@RequestMapping(path = "/api/v1/workers", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Workers", description = "Remote workers that run remote:<name> jobs; needs the workers:run scope")
class WorkerController {

    private final RemoteAttempts attempts;

    private final WorkerEventStreams streams;

    private final JsonMapper jsonMapper;

    private final FailfastProperties.Workers settings;

    WorkerController(RemoteAttempts attempts, WorkerEventStreams streams, JsonMapper jsonMapper,
            FailfastProperties properties) {
        this.attempts = attempts;
        this.streams = streams;
        this.jsonMapper = jsonMapper;
        this.settings = properties.workers();
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "registerWorker", summary = "Register a worker",
            description = "The worker then claims the caller's tenant's jobs of remote:<name> for each name in "
                    + "types. It stays registered while it heartbeats (or claims) within leaseTtl; a worker "
                    + "that does not is lost, and each attempt it held fails with WORKER_LOST.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(
                    content = @Content(schema = @Schema(implementation = WorkerRequest.class),
                            examples = @ExampleObject(value = ApiExamples.REGISTER_WORKER))))
    @ApiResponse(responseCode = "201", description = "Registered",
            content = @Content(schema = @Schema(implementation = WorkerResponse.class),
                    examples = @ExampleObject(value = ApiExamples.WORKER)))
    @ApiResponse(responseCode = "400", description = "Invalid registration", content = @Content)
    @ApiResponse(responseCode = "429", description = "The tenant has failfast.workers.max-workers-per-tenant",
            content = @Content)
    ResponseEntity<WorkerResponse> register(@AuthenticationPrincipal Caller caller,
            @Valid @RequestBody WorkerRequest request) {
        if (request.capacity() > settings.maxCapacity()) {
            throw new InvalidFieldsException(List.of(new ProblemHandler.FieldProblem("capacity",
                    "must be at most " + settings.maxCapacity() + " (failfast.workers.max-capacity)")));
        }
        var session = attempts.register(caller, request.name(), new TreeSet<>(request.types()), request.capacity());
        return ResponseEntity.status(HttpStatus.CREATED)
            .location(URI.create("/api/v1/workers/" + session.id()))
            .body(WorkerResponse.of(session, settings));
    }

    @GetMapping
    @Operation(operationId = "listWorkers", summary = "List the tenant's workers",
            description = "Live workers of the caller's tenant, oldest first, each with the attempts it holds.")
    @ApiResponse(responseCode = "200", description = "The tenant's workers")
    List<WorkerResponse> list(@AuthenticationPrincipal Caller caller) {
        return attempts.list(caller.tenant()).stream().map(s -> WorkerResponse.of(s, settings)).toList();
    }

    @GetMapping("/{id}")
    @Operation(operationId = "getWorker", summary = "Get a worker",
            description = "A live worker of the caller's tenant with the attempts it holds and their progress.")
    @ApiResponse(responseCode = "200", description = "The worker")
    @ApiResponse(responseCode = "404", description = "No such live worker of the tenant", content = @Content)
    WorkerResponse get(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        return WorkerResponse.of(attempts.find(caller.tenant(), id).orElseThrow(() -> new UnknownWorkerException(id)),
                settings);
    }

    @DeleteMapping(path = "/{id}", produces = MediaType.ALL_VALUE)
    @Operation(operationId = "deleteWorker", summary = "Stop a worker",
            description = "It claims nothing more; each attempt it still holds fails at once with WORKER_LOST "
                    + "(the job's retry policy applies). A worker stopping cleanly finishes its attempts first.")
    @ApiResponse(responseCode = "204", description = "Stopped")
    @ApiResponse(responseCode = "404", description = "No such live worker of the tenant", content = @Content)
    ResponseEntity<Void> delete(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        attempts.remove(caller.tenant(), id);
        return ResponseEntity.noContent().build();
    }

    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(operationId = "streamWorkerEvents", summary = "Follow a worker's cancels",
            description = "Server-sent events: ready once the stream follows the worker (cancels made before are "
                    + "sent right after it); cancel {attemptId, batchId, jobId, reason} the moment an attempt it "
                    + "holds is cancelled (its batch's cause, a user's cancel, the deadline, the job's timeout): "
                    + "stop it and report; lost when the worker's session ends (register again); reconnect after "
                    + "failfast.streams.max-lifetime. Opening it does not renew the lease.")
    @ApiResponse(responseCode = "200", description = "The stream",
            content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE,
                    examples = @ExampleObject(value = ApiExamples.WORKER_EVENTS)))
    @ApiResponse(responseCode = "404", description = "No such live worker of the tenant", content = @Content)
    @ApiResponse(responseCode = "429", description = "The tenant has as many streams open as it may",
            content = @Content)
    SseEmitter events(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        return streams.subscribe(caller, id);
    }

    @PostMapping(path = "/{id}/drain", produces = MediaType.ALL_VALUE)
    @Operation(operationId = "drainWorker", summary = "Stop a worker claiming",
            description = "A claim waiting now answers at once, later ones answer with nothing. A worker stopping "
                    + "drains, finishes (or stops) what it holds, then deletes itself: no attempt is handed to a "
                    + "claim whose answer it no longer reads.")
    @ApiResponse(responseCode = "204", description = "Draining")
    @ApiResponse(responseCode = "404", description = "No such live worker of the tenant", content = @Content)
    ResponseEntity<Void> drain(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        attempts.drain(caller.tenant(), id);
        return ResponseEntity.noContent().build();
    }

    @PostMapping(path = "/{id}/claim", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "claimAttempts", summary = "Claim attempts to run (long poll)",
            description = "Answers as soon as at least one attempt of the worker's types is waiting, with up to "
                    + "max of them (at most the worker's free capacity), oldest first; or with none after wait. "
                    + "Renews the lease.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = false,
                    content = @Content(schema = @Schema(implementation = ClaimRequest.class),
                            examples = @ExampleObject(value = "{\"max\": 8, \"wait\": \"PT20S\"}"))))
    @ApiResponse(responseCode = "200", description = "The attempts claimed",
            content = @Content(schema = @Schema(implementation = ClaimResponse.class),
                    examples = @ExampleObject(value = ApiExamples.CLAIMED)))
    @ApiResponse(responseCode = "400", description = "Invalid claim", content = @Content)
    @ApiResponse(responseCode = "404", description = "No such live worker of the tenant", content = @Content)
    ClaimResponse claim(@AuthenticationPrincipal Caller caller, @PathVariable UUID id,
            @Valid @RequestBody(required = false) @Nullable ClaimRequest request) {
        Duration wait = request == null || request.waitFor() == null ? ClaimRequest.DEFAULT_WAIT : request.waitFor();
        if (wait.isNegative() || wait.compareTo(settings.maxClaimWait()) > 0) {
            throw new InvalidFieldsException(List.of(new ProblemHandler.FieldProblem("wait",
                    "must be between PT0S and " + settings.maxClaimWait() + " (failfast.workers.max-claim-wait)")));
        }
        int max = request == null || request.max() == null ? Integer.MAX_VALUE : request.max();
        try {
            return new ClaimResponse(
                    attempts.claim(caller.tenant(), id, max, wait).stream().map(WorkerAttemptResponse::of).toList());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the service stops: nothing was claimed
            return new ClaimResponse(List.of());
        }
    }

    @PostMapping(path = "/{id}/heartbeat", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "heartbeatWorker", summary = "Renew a worker's lease, report progress",
            description = "Send one every heartbeatInterval. The answer lists the attempts the worker holds that "
                    + "are cancelled (a fallback for its stream) and those it reported progress for but no "
                    + "longer holds (lost or given up after a cancel): stop both.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = false,
                    content = @Content(schema = @Schema(implementation = HeartbeatRequest.class),
                            examples = @ExampleObject(value = ApiExamples.HEARTBEAT))))
    @ApiResponse(responseCode = "200", description = "The lease renewed",
            content = @Content(schema = @Schema(implementation = HeartbeatResponse.class)))
    @ApiResponse(responseCode = "400", description = "Progress too large", content = @Content)
    @ApiResponse(responseCode = "404", description = "No such live worker of the tenant (register again)",
            content = @Content)
    HeartbeatResponse heartbeat(@AuthenticationPrincipal Caller caller, @PathVariable UUID id,
            @Valid @RequestBody(required = false) @Nullable HeartbeatRequest request) {
        Map<UUID, Object> reported = request == null || request.progress() == null ? Map.of() : request.progress();
        Map<UUID, JsonNode> progress = new LinkedHashMap<>();
        List<ProblemHandler.FieldProblem> tooLarge = new ArrayList<>();
        reported.forEach((attemptId, value) -> {
            JsonNode json = jsonMapper.valueToTree(value);
            progress.put(attemptId, json);
            int size = jsonMapper.writeValueAsBytes(json).length;
            if (size > settings.maxProgressSize().toBytes()) {
                tooLarge.add(new ProblemHandler.FieldProblem("progress." + attemptId, "is " + size
                        + " bytes, more than failfast.workers.max-progress-size (" + settings.maxProgressSize() + ")"));
            }
        });
        if (!tooLarge.isEmpty()) {
            throw new InvalidFieldsException(tooLarge);
        }
        return HeartbeatResponse
            .of(attempts.heartbeat(caller.tenant(), id, progress, request == null ? null : request.holding()));
    }

    @PostMapping(path = "/{id}/attempts/{attemptId}/complete", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.ALL_VALUE)
    @Operation(operationId = "completeAttempt", summary = "Report an attempt's success",
            description = "The result becomes the job's (at most failfast.limits.max-result-size, or the job fails "
                    + "with RESULT_TOO_LARGE). After a cancel, any report tells that the worker stopped.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = false,
                    content = @Content(schema = @Schema(implementation = CompleteRequest.class))))
    @ApiResponse(responseCode = "204", description = "Taken")
    @ApiResponse(responseCode = "400", description = "Not JSON", content = @Content)
    @ApiResponse(responseCode = "404", description = "No such live worker of the tenant", content = @Content)
    @ApiResponse(responseCode = "409",
            description = "The worker does not hold the attempt (reported already, lost with its lease, or given "
                    + "up after a cancel it ignored)",
            content = @Content)
    ResponseEntity<Void> complete(@AuthenticationPrincipal Caller caller, @PathVariable UUID id,
            @PathVariable UUID attemptId, @Valid @RequestBody(required = false) @Nullable CompleteRequest request) {
        attempts.report(caller.tenant(), id, attemptId,
                new AttemptReport.Completed(request == null ? null : request.result()));
        return ResponseEntity.noContent().build();
    }

    @PostMapping(path = "/{id}/attempts/{attemptId}/fail", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.ALL_VALUE)
    @Operation(operationId = "failAttempt", summary = "Report an attempt's failure",
            description = "The batch's failure policy, onError rules (errorType, httpStatus, message) and the job's "
                    + "retry policy apply as to a local job's failure; retryAfter defers the job like a target's "
                    + "Retry-After. After a cancel, any report tells that the worker stopped.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(
                    content = @Content(schema = @Schema(implementation = FailRequest.class),
                            examples = @ExampleObject(value = ApiExamples.FAIL_ATTEMPT))))
    @ApiResponse(responseCode = "204", description = "Taken")
    @ApiResponse(responseCode = "400", description = "Invalid failure", content = @Content)
    @ApiResponse(responseCode = "404", description = "No such live worker of the tenant", content = @Content)
    @ApiResponse(responseCode = "409",
            description = "The worker does not hold the attempt (reported already, lost with its lease, or given "
                    + "up after a cancel it ignored)",
            content = @Content)
    ResponseEntity<Void> fail(@AuthenticationPrincipal Caller caller, @PathVariable UUID id,
            @PathVariable UUID attemptId, @Valid @RequestBody FailRequest request) {
        String errorType = request.errorType() == null ? JobError.JOB_ERROR : request.errorType();
        String message = request.message() == null ? "The worker reported a failure" : request.message();
        Duration retryAfter = request.retryAfter();
        if (retryAfter != null && retryAfter.isNegative()) {
            throw new InvalidFieldsException(
                    List.of(new ProblemHandler.FieldProblem("retryAfter", "must not be negative")));
        }
        attempts.report(caller.tenant(), id, attemptId,
                new AttemptReport.Failed(errorType, message, request.status(), retryAfter));
        return ResponseEntity.noContent().build();
    }

}
