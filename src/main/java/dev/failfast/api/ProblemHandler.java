package dev.failfast.api;

import dev.failfast.batch.BatchNotFoundException;
import dev.failfast.batch.BatchStateConflictException;
import dev.failfast.batch.JobNotFoundException;
import dev.failfast.engine.EngineUnavailableException;
import dev.failfast.engine.IdempotencyKeyReusedException;
import dev.failfast.engine.InvalidBatchException;
import dev.failfast.engine.Limit;
import dev.failfast.engine.LimitExceededException;
import dev.failfast.job.JsonErrors;
import dev.failfast.logging.LogText;
import dev.failfast.security.CredentialsUncheckableException;
import dev.failfast.security.MissingScopeException;
import dev.failfast.worker.AttemptNotHeldException;
import dev.failfast.worker.TooManyWorkersException;
import dev.failfast.worker.UnknownWorkerException;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.context.MessageSourceResolvable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.validation.FieldError;
import org.springframework.validation.method.ParameterErrors;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;

/**
 * Every error as {@code application/problem+json} (RFC 9457). Each kind of problem has a
 * stable {@code type} URI under {@value #TYPE_BASE}; invalid input lists every bad field
 * in an {@code errors} array of {@code {field, message}}. Responses never carry a stack
 * trace.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

    static final String TYPE_BASE = "https://failfast.dev/problems/";

    /**
     * A worker refused for its tenant's limit may register once another's lease lapses,
     * which is seconds away.
     */
    private static final Duration WORKER_RETRY_AFTER = Duration.ofSeconds(15);

    private static final URI ABOUT_BLANK = URI.create("about:blank");

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    private static final Map<Integer, String> KIND_BY_STATUS = Map.ofEntries(Map.entry(400, "invalid-request"),
            Map.entry(404, "not-found"), Map.entry(405, "method-not-allowed"), Map.entry(406, "not-acceptable"),
            Map.entry(409, "conflict"), Map.entry(413, "request-too-large"), Map.entry(415, "unsupported-media-type"),
            Map.entry(429, "too-many-pending-jobs"), Map.entry(500, "internal-error"), Map.entry(503, "unavailable"));

    /** One bad field of a request. */
    record FieldProblem(String field, String message) {
    }

    @ExceptionHandler(InvalidBatchException.class)
    ProblemDetail invalidBatch(InvalidBatchException e, HttpServletRequest request) {
        return invalid(e.violations().stream().map(v -> new FieldProblem(v.field(), v.message())).toList(), request);
    }

    @ExceptionHandler(InvalidFieldsException.class)
    ProblemDetail invalidFields(InvalidFieldsException e, HttpServletRequest request) {
        return invalid(e.errors(), request);
    }

    @ExceptionHandler({ BatchNotFoundException.class, JobNotFoundException.class,
            ApiKeyController.ApiKeyNotFoundException.class, ResourceNotFoundException.class,
            UnknownWorkerException.class })
    ProblemDetail notFound(RuntimeException e, HttpServletRequest request) {
        return problem(HttpStatus.NOT_FOUND, "Not found", e.getMessage(), request);
    }

    @ExceptionHandler({ ResourceConflictException.class, AttemptNotHeldException.class })
    ProblemDetail resourceConflict(RuntimeException e, HttpServletRequest request) {
        return problem(HttpStatus.CONFLICT, "Conflict", e.getMessage(), request);
    }

    @ExceptionHandler(BatchStateConflictException.class)
    ProblemDetail conflict(BatchStateConflictException e, HttpServletRequest request) {
        ProblemDetail problem = problem(HttpStatus.CONFLICT, "Conflict with the batch's state", e.getMessage(),
                request);
        problem.setProperty("state", e.state());
        return problem;
    }

    /**
     * Every refusal by a limit (a batch not admitted, a stream not opened): a 429 typed
     * after the kind of refusal, titled after the limit, naming it ({@code limit}) and
     * the tenant whose limit it is ({@code tenant}, absent for the whole service's), with
     * {@code Retry-After} in whole seconds, at least one.
     */
    @ExceptionHandler(LimitExceededException.class)
    ResponseEntity<ProblemDetail> limitExceeded(LimitExceededException e, HttpServletRequest request) {
        Limit limit = e.limit();
        ProblemDetail problem = problem(HttpStatus.TOO_MANY_REQUESTS, limit.title(), e.getMessage(), request);
        problem.setType(URI.create(TYPE_BASE + limit.problemKind()));
        problem.setProperty("limit", limit.wireName());
        if (e.tenant() != null) {
            problem.setProperty("tenant", e.tenant());
        }
        return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
            .header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, e.retryAfter().toSeconds())))
            .body(problem);
    }

    @ExceptionHandler(TooManyWorkersException.class)
    ResponseEntity<ProblemDetail> tooManyWorkers(TooManyWorkersException e, HttpServletRequest request) {
        return limitExceeded(new LimitExceededException(Objects.requireNonNullElse(e.getMessage(), "Too many workers"),
                WorkerLimit.TENANT_WORKERS, e.tenant(), WORKER_RETRY_AFTER), request);
    }

    @ExceptionHandler(IdempotencyKeyReusedException.class)
    ResponseEntity<ProblemDetail> idempotencyKeyReused(IdempotencyKeyReusedException e, HttpServletRequest request) {
        ProblemDetail problem = problem(HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency key reused", e.getMessage(),
                request);
        problem.setType(URI.create(TYPE_BASE + "idempotency-key-reused"));
        problem.setProperty("batchId", e.batchId());
        return ResponseEntity.status(HttpStatus.UNPROCESSABLE_CONTENT).body(problem);
    }

    @ExceptionHandler(EngineUnavailableException.class)
    ResponseEntity<ProblemDetail> unavailable(EngineUnavailableException e, HttpServletRequest request) {
        return serviceUnavailable(e.getMessage(), request);
    }

    /**
     * No credentials, or credentials the service does not accept (the entry point has set
     * {@code WWW-Authenticate}). The detail says why, never what the client sent.
     */
    @ExceptionHandler(AuthenticationException.class)
    ResponseEntity<ProblemDetail> unauthorized(AuthenticationException e, HttpServletRequest request) {
        String detail = e instanceof OAuth2AuthenticationException oauth && oauth.getError().getDescription() != null
                ? oauth.getError().getDescription()
                : "Send an API key or an OAuth2 bearer token as 'Authorization: Bearer <token>'";
        ProblemDetail problem = problem(HttpStatus.UNAUTHORIZED, "Unauthorized", detail, request);
        problem.setType(URI.create(TYPE_BASE + "unauthorized"));
        return ResponseEntity.status(HttpStatus.UNAUTHORIZED).body(problem);
    }

    /** The credentials could not be checked (database or token issuer down): retry. */
    @ExceptionHandler(CredentialsUncheckableException.class)
    ResponseEntity<ProblemDetail> credentialsUncheckable(CredentialsUncheckableException e,
            HttpServletRequest request) {
        log.warn("{} on {} {}", LogText.of(e.getMessage()), request.getMethod(), LogText.of(request.getRequestURI()),
                e.getCause());
        return serviceUnavailable(e.getMessage(), request);
    }

    /** A 503 the client should send again, after a few seconds. */
    private static ResponseEntity<ProblemDetail> serviceUnavailable(@Nullable String detail,
            HttpServletRequest request) {
        ProblemDetail problem = problem(HttpStatus.SERVICE_UNAVAILABLE, "Service unavailable", detail, request);
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "5").body(problem);
    }

    /** Authenticated, but not allowed: the problem names the scope that was missing. */
    @ExceptionHandler(AccessDeniedException.class)
    ResponseEntity<ProblemDetail> forbidden(AccessDeniedException e, HttpServletRequest request) {
        ProblemDetail problem = problem(HttpStatus.FORBIDDEN, "Forbidden", e.getMessage(), request);
        problem.setType(URI.create(TYPE_BASE + "forbidden"));
        if (e instanceof MissingScopeException missing) {
            problem.setType(URI.create(TYPE_BASE + "missing-scope"));
            problem.setProperty("requiredScope", missing.required().value());
        }
        return ResponseEntity.status(HttpStatus.FORBIDDEN).body(problem);
    }

    /** A request from one of Failfast's own http jobs ({@link LoopedRequestFilter}). */
    @ExceptionHandler(LoopedRequestFilter.LoopDetectedException.class)
    ResponseEntity<ProblemDetail> loopDetected(LoopedRequestFilter.LoopDetectedException e,
            HttpServletRequest request) {
        ProblemDetail problem = problem(HttpStatus.LOOP_DETECTED, "Loop detected", e.getMessage(), request);
        problem.setType(URI.create(TYPE_BASE + "loop-detected"));
        return ResponseEntity.status(HttpStatus.LOOP_DETECTED).body(problem);
    }

    /** The last resort: logged with its stack trace, answered without it. */
    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception e, HttpServletRequest request) {
        log.error("Unexpected error on {} {}", request.getMethod(), LogText.of(request.getRequestURI()), e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error",
                "The service failed to process the request; the error is logged.", request);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldProblem> errors = new ArrayList<>();
        e.getBindingResult().getFieldErrors().forEach(error -> errors.add(fieldProblem(error)));
        e.getBindingResult()
            .getGlobalErrors()
            .forEach(error -> errors
                .add(new FieldProblem(error.getObjectName(), String.valueOf(error.getDefaultMessage()))));
        return ResponseEntity.badRequest().body(invalid(errors, servletRequest(request)));
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleHandlerMethodValidationException(
            HandlerMethodValidationException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldProblem> errors = new ArrayList<>();
        for (var result : e.getParameterValidationResults()) {
            if (result instanceof ParameterErrors bean) {
                // A validated request body: name its fields, as for
                // MethodArgumentNotValidException.
                bean.getFieldErrors().forEach(error -> errors.add(fieldProblem(error)));
                continue;
            }
            String name = String.valueOf(result.getMethodParameter().getParameterName());
            for (MessageSourceResolvable error : result.getResolvableErrors()) {
                errors.add(new FieldProblem(name, String.valueOf(error.getDefaultMessage())));
            }
        }
        return ResponseEntity.badRequest().body(invalid(errors, servletRequest(request)));
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        HttpServletRequest servletRequest = servletRequest(request);
        var tooLarge = findCause(e, RequestSizeLimitFilter.RequestTooLargeException.class);
        if (tooLarge != null) {
            return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
                .body(problem(HttpStatus.CONTENT_TOO_LARGE, "Request too large", tooLarge.getMessage(),
                        servletRequest));
        }
        JacksonException json = findCause(e, JacksonException.class);
        if (json == null) {
            return ResponseEntity.badRequest()
                .body(invalid(List.of(new FieldProblem("body", "is missing or not readable")), servletRequest));
        }
        // A syntax error's path only says how far the parser got; the line and column say
        // more.
        String field = json instanceof StreamReadException ? "" : JsonErrors.path(json);
        String message = JsonErrors.message(json);
        return ResponseEntity.badRequest()
            .body(invalid(List.of(new FieldProblem(field.isEmpty() ? "body" : field, message)), servletRequest));
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleTypeMismatch(TypeMismatchException e, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        String name = e instanceof MethodArgumentTypeMismatchException m ? m.getName()
                : String.valueOf(e.getPropertyName());
        Class<?> type = e.getRequiredType();
        // Without the value: a client that pastes a key where an id belongs must not get
        // it
        // back in the answer.
        String message = "is not a valid " + (type == null ? "value" : type.getSimpleName());
        return ResponseEntity.badRequest()
            .body(invalid(List.of(new FieldProblem(name, message)), servletRequest(request)));
    }

    /**
     * Gives every problem the framework builds (404, 405, 415, …) a stable type and the
     * request path.
     */
    @Override
    protected @Nullable ResponseEntity<Object> handleExceptionInternal(Exception e, @Nullable Object body,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ResponseEntity<Object> response = super.handleExceptionInternal(e, body, headers, status, request);
        if (response != null && response.getBody() instanceof ProblemDetail problem) {
            decorate(problem, status.value(), servletRequest(request));
        }
        return response;
    }

    private ProblemDetail invalid(List<FieldProblem> errors, HttpServletRequest request) {
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "Invalid request",
                "The request has " + errors.size() + " invalid field(s).", request);
        problem.setProperty("errors", errors);
        return problem;
    }

    private static ProblemDetail problem(HttpStatus status, String title, @Nullable String detail,
            HttpServletRequest request) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        decorate(problem, status.value(), request);
        return problem;
    }

    private static void decorate(ProblemDetail problem, int status, HttpServletRequest request) {
        if (problem.getType() == null || ABOUT_BLANK.equals(problem.getType())) {
            problem.setType(URI.create(TYPE_BASE + KIND_BY_STATUS.getOrDefault(status, "http-" + status)));
        }
        if (problem.getInstance() == null) {
            problem.setInstance(URI.create(request.getRequestURI()));
        }
    }

    private static FieldProblem fieldProblem(FieldError error) {
        String message = String.valueOf(error.getDefaultMessage());
        if (error.isBindingFailure()) {
            message = "has an invalid value";
        }
        return new FieldProblem(error.getField(), message);
    }

    private static <T extends Throwable> @Nullable T findCause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static HttpServletRequest servletRequest(WebRequest request) {
        return ((ServletWebRequest) request).getRequest();
    }

}
