package dev.failfast.api;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.Caller;
import dev.failfast.batch.JobNotFoundException;
import dev.failfast.batch.JobState;
import dev.failfast.batch.Owner;
import dev.failfast.engine.BatchEngine;
import dev.failfast.engine.RedriveSelection;
import dev.failfast.job.JobHandlers;
import dev.failfast.security.MissingScopeException;
import dev.failfast.security.Scope;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.BatchQuery;
import dev.failfast.store.BatchStore;
import dev.failfast.store.IdempotencyKey;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/** Submit, read, cancel, redrive and delete batches, and follow them as they run. */
@RestController
@RequestMapping(path = "/api/v1/batches", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Batches", description = "Run batches of jobs that stop as a whole when they should")
class BatchController {

    private static final String PROBLEM = MediaType.APPLICATION_PROBLEM_JSON_VALUE;
    static final String LABEL_FILTER = "[A-Za-z0-9._/-]{1,63}:.{0,256}";

    private final BatchEngine engine;

    private final BatchStore store;

    private final BatchSpecMapper mapper;

    private final BatchEventStreams streams;

    private final RequestFingerprint fingerprint;

    private final JobHandlers handlers;

    private final PageLimits pages;

    BatchController(BatchEngine engine, BatchStore store, BatchSpecMapper mapper, BatchEventStreams streams,
            RequestFingerprint fingerprint, JobHandlers handlers, FailfastProperties properties) {
        this.engine = engine;
        this.store = store;
        this.mapper = mapper;
        this.streams = streams;
        this.fingerprint = fingerprint;
        this.handlers = handlers;
        this.pages = new PageLimits(properties.limits());
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "submitBatch", summary = "Submit a batch",
            description = "Validates the whole batch (job types, params, unique ids, its failure policies), admits "
                    + "it and starts it. "
                    + "Returns at once; poll the Location or stream its events. With an Idempotency-Key header, "
                    + "sending the same request again returns the batch it created (200) instead of a new one; "
                    + "the key lives as long as that batch.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(
                    content = @Content(schema = @Schema(implementation = BatchRequest.class),
                            examples = { @ExampleObject(name = "fail-fast", value = ApiExamples.SUBMIT),
                                    @ExampleObject(name = "tolerance-and-rules",
                                            summary = "Tolerate 25% failures after 4 jobs; retry I/O, ignore 404, "
                                                    + "stop on other 4xx",
                                            value = ApiExamples.SUBMIT_RULES),
                                    @ExampleObject(name = "first-mirror-wins",
                                            summary = "Succeed with the first mirror that answers; stop the others",
                                            value = ApiExamples.SUBMIT_RACE) })))
    @ApiResponse(responseCode = "202", description = "Accepted; the body is the batch status")
    @ApiResponse(responseCode = "200",
            description = "The Idempotency-Key created this batch before; its current status")
    @ApiResponse(responseCode = "400", description = "Invalid batch",
            content = @Content(mediaType = PROBLEM, examples = @ExampleObject(value = ApiExamples.INVALID)))
    @ApiResponse(responseCode = "413", description = "Body larger than failfast.limits.max-request-size",
            content = @Content)
    @ApiResponse(responseCode = "415", description = "Body is not application/json", content = @Content)
    @ApiResponse(responseCode = "422", description = "The Idempotency-Key was used before with a different request",
            content = @Content)
    @ApiResponse(responseCode = "429",
            description = "Not admitted now: over a limit, which the problem's limit member names (pending jobs, active batches, the tenant's quotas); retry after the Retry-After header",
            content = @Content)
    @ApiResponse(responseCode = "503", description = "The service is shutting down", content = @Content)
    ResponseEntity<BatchResponse> submit(@AuthenticationPrincipal Caller caller,
            @Valid @RequestBody BatchRequest request,
            @Parameter(description = "Makes retries safe: the same key with the same body returns the batch it "
                    + "created; with another body it is refused (422)") @RequestHeader(name = "Idempotency-Key",
                            required = false) @Nullable @Size(min = 1, max = 255) String idempotencyKey) {
        var spec = mapper.toSpec(request, caller.tenant());
        if (idempotencyKey != null) {
            var submission = engine.submit(caller, spec, new IdempotencyKey(idempotencyKey, fingerprint.of(request)));
            var status = submission.created() ? HttpStatus.ACCEPTED : HttpStatus.OK;
            return ResponseEntity.status(status)
                .location(location(submission.batch().id()))
                .body(BatchResponse.of(submission.batch()));
        }
        var batch = engine.submit(caller, spec);
        return ResponseEntity.accepted().location(location(batch.id())).body(BatchResponse.of(batch));
    }

    private static java.net.URI location(UUID id) {
        return ServletUriComponentsBuilder.fromCurrentRequest().path("/{id}").buildAndExpand(id).toUri();
    }

    @GetMapping("/{id}")
    @Operation(operationId = "getBatch", summary = "Get a batch's status",
            description = "Counts per job state and the cancellation cause; "
                    + "costs the same whatever the number of jobs.")
    @ApiResponse(responseCode = "200", description = "The batch's status",
            content = @Content(schema = @Schema(implementation = BatchResponse.class),
                    examples = @ExampleObject(value = ApiExamples.FAILED_BATCH)))
    @ApiResponse(responseCode = "404", description = "No such batch", content = @Content)
    BatchResponse get(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        return BatchResponse.of(engine.find(caller, id));
    }

    @GetMapping
    @Operation(operationId = "listBatches", summary = "List batches, newest first",
            description = "The caller's tenant's batches (every tenant's for an admin, or the one asked for), "
                    + "filtered by state and labels, one page at a time.")
    @ApiResponse(responseCode = "200", description = "One page of batches")
    @ApiResponse(responseCode = "400", description = "Invalid query parameter", content = @Content)
    PageResponse<BatchResponse> list(@AuthenticationPrincipal Caller caller,
            @Parameter(description = "Only batches of this tenant; another tenant than the caller's needs the "
                    + "admin scope") @RequestParam(required = false) @Nullable @Pattern(regexp = Owner.TENANT_PATTERN,
                            message = "is not a tenant name") String tenant,
            @Parameter(description = "Only batches in this state") @RequestParam(
                    required = false) @Nullable BatchState state,
            @Parameter(
                    description = "Only batches with this label, as key:value; repeat to require several") @RequestParam(
                            name = "label",
                            required = false) @Nullable List<@Pattern(regexp = LABEL_FILTER,
                                    message = "must be key:value") String> labels,
            @Parameter(description = "Zero-based page number") @RequestParam(defaultValue = "0") @Min(0) int page,
            @Parameter(description = "Page size, at most failfast.limits.max-page-size") @RequestParam(
                    defaultValue = "20") @Min(1) int size) {
        Map<String, String> labelFilter = new HashMap<>();
        if (labels != null) {
            for (String label : labels) {
                int colon = label.indexOf(':');
                labelFilter.put(label.substring(0, colon), label.substring(colon + 1));
            }
        }
        var result = store.findBatches(new BatchQuery(tenantFilter(caller, tenant), state, labelFilter),
                pages.byOffset(page, size, "state=, label= or tenant="));
        return PageResponse.of(result, BatchResponse::of);
    }

    @GetMapping("/{id}/jobs")
    @Operation(operationId = "listJobs", summary = "List a batch's jobs, in submission order",
            description = "Each job's state, attempts, error and result, one page at a time; filter by state "
                    + "to find the failed ones.")
    @ApiResponse(responseCode = "200", description = "One page of jobs")
    @ApiResponse(responseCode = "404", description = "No such batch", content = @Content)
    PageResponse<JobResponse> jobs(@AuthenticationPrincipal Caller caller, @PathVariable UUID id,
            @Parameter(description = "Only jobs in this state") @RequestParam(
                    required = false) @Nullable JobState state,
            @Parameter(description = "Zero-based page number") @RequestParam(defaultValue = "0") @Min(0) int page,
            @Parameter(description = "Page size, at most failfast.limits.max-page-size") @RequestParam(
                    defaultValue = "100") @Min(1) int size) {
        Batch batch = engine.find(caller, id);
        return PageResponse.of(store.listJobs(id, state, pages.byPosition(page, size)),
                job -> JobResponse.of(job, handlers, batch));
    }

    @GetMapping("/{id}/jobs/{jobId}")
    @Operation(operationId = "getJob", summary = "Get one job",
            description = "A job by the id it was submitted with: its state, attempts, error and result, with its "
                    + "attempt history (attemptHistory), which lists of jobs leave out.")
    @ApiResponse(responseCode = "200", description = "The job's status",
            content = @Content(schema = @Schema(implementation = JobResponse.class),
                    examples = @ExampleObject(value = ApiExamples.JOB_WITH_HISTORY)))
    @ApiResponse(responseCode = "404", description = "No such batch or job", content = @Content)
    JobResponse job(@AuthenticationPrincipal Caller caller, @PathVariable UUID id, @PathVariable String jobId) {
        Batch batch = engine.find(caller, id);
        return store.findJob(id, jobId)
            .map(job -> JobResponse.withHistory(job, handlers, batch))
            .orElseThrow(() -> new JobNotFoundException(id, jobId));
    }

    @PostMapping("/{id}/cancel")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(operationId = "cancelBatch", summary = "Cancel a batch",
            description = "Records the cause USER_REQUESTED (unless the batch already "
                    + "has a cause), skips jobs not yet started and interrupts running ones. The body is optional. The 202 "
                    + "comes once the cancellation is stored: a crash after it does not lose it.")
    @ApiResponse(responseCode = "202", description = "Cancelling; poll or stream until the batch is terminal")
    @ApiResponse(responseCode = "404", description = "No such batch", content = @Content)
    @ApiResponse(responseCode = "409", description = "The batch is already terminal", content = @Content)
    @ApiResponse(responseCode = "503", description = "The database could not store the cancellation; send it again",
            content = @Content)
    BatchResponse cancel(@AuthenticationPrincipal Caller caller, @PathVariable UUID id,
            @Valid @RequestBody(required = false) @Nullable CancelRequest request) {
        return BatchResponse.of(engine.cancel(caller, id, request == null ? null : request.reason()));
    }

    @PostMapping("/{id}/redrive")
    @Operation(operationId = "redriveBatch", summary = "Redrive a terminal batch",
            description = "Runs its FAILED, CANCELLED and SKIPPED jobs again (or those the body selects, by state "
                    + "and id) as the batch's next run: they become PENDING with no attempts, under the batch's "
                    + "policies, deadline and parallelism, through the same admission limits as a submission. Jobs "
                    + "that succeeded keep their results and count toward the run. The batch shows its runs; each "
                    + "job, the run it belongs to, and its attempt history keeps every run. The body is optional. "
                    + "A batch is redriven at most failfast.limits.max-redrives times. With an Idempotency-Key "
                    + "header, sending the same redrive again returns the batch (200) instead of another run.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = false,
                    content = @Content(schema = @Schema(implementation = RedriveRequest.class), examples = {
                            @ExampleObject(name = "every-stopped-job",
                                    summary = "Every FAILED, CANCELLED and SKIPPED job", value = "{}"),
                            @ExampleObject(name = "jobs-by-id", summary = "The failed job and one skipped job, by id",
                                    value = ApiExamples.REDRIVE) })))
    @ApiResponse(responseCode = "202", description = "The next run is queued; the body is the batch status",
            content = @Content(schema = @Schema(implementation = BatchResponse.class),
                    examples = @ExampleObject(value = ApiExamples.REDRIVEN_BATCH)))
    @ApiResponse(responseCode = "200",
            description = "The Idempotency-Key redrove this batch before; its current status")
    @ApiResponse(responseCode = "400",
            description = "Invalid selection: a state a job is not redriven from, or a "
                    + "job id the batch does not have or whose job is in another state",
            content = @Content)
    @ApiResponse(responseCode = "404", description = "No such batch", content = @Content)
    @ApiResponse(responseCode = "413", description = "Body larger than failfast.limits.max-request-size",
            content = @Content)
    @ApiResponse(responseCode = "415", description = "Body is not application/json", content = @Content)
    @ApiResponse(responseCode = "409",
            description = "The batch is still active, was redriven as often as "
                    + "failfast.limits.max-redrives allows, or has no job the selection takes",
            content = @Content)
    @ApiResponse(responseCode = "422", description = "The Idempotency-Key redrove this batch with a different request",
            content = @Content)
    @ApiResponse(responseCode = "429",
            description = "Not admitted now, as a submission would not be; retry after " + "the Retry-After header",
            content = @Content)
    @ApiResponse(responseCode = "503",
            description = "The service is shutting down, or the database could not " + "store the redrive",
            content = @Content)
    ResponseEntity<BatchResponse> redrive(@AuthenticationPrincipal Caller caller, @PathVariable UUID id,
            @Valid @RequestBody(required = false) @Nullable RedriveRequest request,
            @Parameter(description = "Makes retries safe: the same key with the same body returns the batch it "
                    + "redrove; with another body it is refused (422)") @RequestHeader(name = "Idempotency-Key",
                            required = false) @Nullable @Size(min = 1, max = 255) String idempotencyKey) {
        RedriveSelection selection = (request == null ? RedriveRequest.EVERY_STOPPED_JOB : request).toSelection();
        // The selection's, not the body's: {} and every state spelled out ask the same.
        var key = idempotencyKey == null ? null
                : new IdempotencyKey(idempotencyKey, fingerprint.of(RedriveRequest.canonical(selection)));
        var redrive = engine.redrive(caller, id, selection, key);
        return ResponseEntity.status(redrive.created() ? HttpStatus.ACCEPTED : HttpStatus.OK)
            .location(ServletUriComponentsBuilder.fromCurrentContextPath()
                .path("/api/v1/batches/{id}")
                .buildAndExpand(id)
                .toUri())
            .body(BatchResponse.of(redrive.batch()));
    }

    // Any Accept: a 204 has no body, and an error is a problem detail whatever the client
    // asked for. Generated clients send the types the document declares (here only
    // application/problem+json), which the class's application/json would refuse (406).
    @DeleteMapping(path = "/{id}", produces = MediaType.ALL_VALUE)
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(operationId = "deleteBatch", summary = "Delete a terminal batch and its jobs",
            description = "Removes the batch and its jobs for good; an active batch must be cancelled "
                    + "first (409).")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "404", description = "No such batch", content = @Content)
    @ApiResponse(responseCode = "409", description = "The batch is still active", content = @Content)
    void delete(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        engine.delete(caller, id);
    }

    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(operationId = "streamBatchEvents", summary = "Stream a batch's events (server-sent events)",
            description = "First a `batch` event with the current status, then a `job` event for each job state "
                    + "change and a `batch` event for each batch state change. The stream closes after the "
                    + "`batch` event with a terminal state. A `lagged` event says events were dropped because "
                    + "the client read too slowly; the next `batch` event is current. Every event has an id: "
                    + "reconnect with it as `Last-Event-ID` to be sent the events after it, or, when they can no "
                    + "longer be told, a `reset` event and the current status. A stream lasts at most "
                    + "failfast.streams.max-lifetime, then ends with a `reconnect` event.")
    @ApiResponse(responseCode = "200", description = "The event stream",
            content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE,
                    examples = @ExampleObject(value = ApiExamples.EVENTS)))
    @ApiResponse(responseCode = "400", description = "Last-Event-ID is not an event id of this service",
            content = @Content)
    @ApiResponse(responseCode = "404", description = "No such batch", content = @Content)
    @ApiResponse(responseCode = "429",
            description = "As many streams are open as the service, or the caller's tenant, may have; retry after "
                    + "the Retry-After header",
            content = @Content)
    SseEmitter events(@AuthenticationPrincipal Caller caller, @PathVariable UUID id,
            @Parameter(description = "The id of the last event received, to resume a stream after it") @RequestHeader(
                    name = EventIds.HEADER, required = false) @Nullable String lastEventId) {
        return streams.subscribe(caller, id,
                lastEventId == null || lastEventId.isBlank() ? null : EventIds.parse(lastEventId));
    }

    /**
     * The tenant whose batches a list shows: the one asked for, or the caller's own; an
     * administrator may ask for any, or for none (every tenant's).
     */
    private static @Nullable String tenantFilter(Caller caller, @Nullable String tenant) {
        if (caller.seesAllTenants()) {
            return tenant;
        }
        if (tenant != null && !tenant.equals(caller.tenant())) {
            throw MissingScopeException.of(Scope.ADMIN, "Listing another tenant's batches needs the admin scope");
        }
        return caller.tenant();
    }

}
