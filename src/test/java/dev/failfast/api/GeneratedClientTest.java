package dev.failfast.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.failfast.FailfastServerTest;
import dev.failfast.generated.ApiClient;
import dev.failfast.generated.ApiException;
import dev.failfast.generated.ApiResponse;
import dev.failfast.generated.api.ApiKeysApi;
import dev.failfast.generated.api.BatchesApi;
import dev.failfast.generated.api.CallerApi;
import dev.failfast.generated.api.NotificationsApi;
import dev.failfast.generated.api.SubscriptionsApi;
import dev.failfast.generated.api.WorkersApi;
import dev.failfast.generated.model.ApiKeyRequest;
import dev.failfast.generated.model.ApiKeyRequest.ScopesEnum;
import dev.failfast.generated.model.ApiKeyResponse;
import dev.failfast.generated.model.BatchRequest;
import dev.failfast.generated.model.BatchResponse;
import dev.failfast.generated.model.CallerResponse;
import dev.failfast.generated.model.CancelRequest;
import dev.failfast.generated.model.Cancellation;
import dev.failfast.generated.model.ClaimRequest;
import dev.failfast.generated.model.CompleteRequest;
import dev.failfast.generated.model.FailRequest;
import dev.failfast.generated.model.FieldProblem;
import dev.failfast.generated.model.HeartbeatRequest;
import dev.failfast.generated.model.HeartbeatResponse;
import dev.failfast.generated.model.JobRequest;
import dev.failfast.generated.model.JobResponse;
import dev.failfast.generated.model.NewApiKeyResponse;
import dev.failfast.generated.model.NotificationRequest;
import dev.failfast.generated.model.NotificationResponse;
import dev.failfast.generated.model.NotificationResponse.StatusEnum;
import dev.failfast.generated.model.ProblemDetail;
import dev.failfast.generated.model.RedriveRequest;
import dev.failfast.generated.model.RetryRequest;
import dev.failfast.generated.model.RotateSecretRequest;
import dev.failfast.generated.model.Run;
import dev.failfast.generated.model.SubscriptionResponse;
import dev.failfast.generated.model.WorkerAttemptResponse;
import dev.failfast.generated.model.WorkerRequest;
import dev.failfast.generated.model.WorkerResponse;
import dev.failfast.testing.TestKeys;
import dev.failfast.testing.WebhookReceiver;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Every operation of the committed {@code docs/openapi.json}, called through the Java
 * client openapi-generator makes from it ({@code library=native}, its defaults otherwise;
 * {@code pom.xml}, profile {@code generated-client}), against the real server with real
 * API keys, as a new user would. Errors are decoded the way that client's users do: the
 * {@link ApiException}'s body read into the generated {@link ProblemDetail}.
 *
 * <p>
 * The client's JSON mapper is made strict (unknown members fail) and every response is
 * held against the document ({@link DocumentedExchanges}): a member, a status or a
 * content type the server sends but the document does not declare fails the test. Each
 * test names the operations it exercises ({@link Exercises}), checked against what it
 * called; {@link #everyOperationOfTheDocumentIsExercised} fails when an operation is
 * added to the document and no test here calls it.
 */
@FailfastServerTest
class GeneratedClientTest {

    /** The operations (operationId) a test calls; checked after it ran. */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @interface Exercises {

        String[] value();

    }

    /** The Standard Webhooks test vector's secret. */
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    @LocalServerPort
    int port;

    private final DocumentedExchanges exchanges = new DocumentedExchanges();

    private final String tenant = "gen-" + UUID.randomUUID().toString().substring(0, 8);

    private ObjectMapper mapper;

    /** The bootstrap admin key's client: API keys. */
    private ApiKeysApi admin;

    /** A key of {@link #tenant} with every batch scope, created through the client. */
    private BatchesApi batches;

    private NewApiKeyResponse tenantKey;

    @BeforeEach
    void clients() throws ApiException {
        // Stricter than the generated default: a member the document does not declare
        // fails.
        mapper = ApiClient.createDefaultObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        admin = new ApiKeysApi(client(TestKeys.ADMIN));
        tenantKey = admin.createApiKey(new ApiKeyRequest().name("generated-client")
            .tenant(tenant)
            .scopes(List.of(ScopesEnum.BATCHES_READ, ScopesEnum.BATCHES_WRITE, ScopesEnum.BATCHES_CANCEL,
                    ScopesEnum.BATCHES_DELETE)));
        batches = new BatchesApi(client(tenantKey.getKey()));
    }

    @AfterEach
    void everyResponseWasDocumentedAndTheClaimedOperationsWereCalled(TestInfo test) {
        exchanges.assertAllDocumented();
        Exercises claimed = test.getTestMethod().orElseThrow().getAnnotation(Exercises.class);
        if (claimed != null) {
            assertThat(exchanges.calledOperations()).as("operations " + test.getDisplayName() + " calls")
                .contains(claimed.value());
        }
    }

    @Test
    @Exercises({ "submitBatch", "getBatch", "listBatches", "listJobs", "getJob", "streamBatchEvents" })
    void aBatchIsSubmittedFollowedToItsEndAndReadBack() throws ApiException {
        BatchRequest request = new BatchRequest().name("generated")
            .labels(Map.of("team", "client"))
            .failurePolicy(BatchRequest.FailurePolicyEnum.FAIL_FAST)
            .deadline("PT10M")
            .jobs(List.of(sleep("ok", "PT0.01S"),
                    sleep("boom", "PT0.01S").putParamsItem("failAfter", "PT0S")
                        .timeout("PT30S")
                        .retry(new RetryRequest().maxAttempts(2).backoff("PT0.01S").multiplier(1.5))));

        BatchResponse submitted = batches.submitBatch(request, null);
        BatchResponse failed = await().atMost(Duration.ofSeconds(30))
            .until(() -> batches.getBatch(submitted.getId()),
                    batch -> batch.getState() == BatchResponse.StateEnum.FAILED);

        assertThat(submitted.getTenant()).isEqualTo(tenant);
        assertThat(submitted.getSubmittedBy()).isEqualTo("key:" + tenantKey.getId());
        assertThat(submitted.getDeadline()).isEqualTo("PT10M");
        Cancellation cancellation = failed.getCancellation();
        assertThat(cancellation.getCause()).isEqualTo(Cancellation.CauseEnum.JOB_FAILED);
        assertThat(cancellation.getJobId()).isEqualTo("boom");
        assertThat(cancellation.getReason()).isNull();
        assertThat(batches.listBatches(null, "FAILED", List.of("team:client"), 0, 20).getContent())
            .extracting(BatchResponse::getId)
            .containsExactly(submitted.getId());
        assertThat(batches.listJobs(submitted.getId(), null, 0, 100).getContent()).extracting(JobResponse::getId)
            .containsExactly("ok", "boom");
        JobResponse boom = batches.getJob(submitted.getId(), "boom");
        assertThat(boom.getState()).isEqualTo(JobResponse.StateEnum.FAILED);
        assertThat(boom.getAttempts()).isEqualTo(2);
        assertThat(boom.getError().getType()).isEqualTo("JOB_ERROR");
        assertThat(boom.getRetry().getMaxAttempts()).isEqualTo(2);
        // A finished batch's stream sends its status and closes, so the generated method,
        // which reads the body to its end (it knows no server-sent events), returns.
        var events = batches.streamBatchEventsWithHttpInfo(submitted.getId(), null);
        assertThat(events.getStatusCode()).isEqualTo(200);
        assertThat(events.getHeaders().get("content-type")).singleElement(InstanceOfAssertFactories.STRING)
            .startsWith("text/event-stream");
        ProblemDetail badLastEventId = problem(() -> batches.streamBatchEvents(submitted.getId(), "not-an-event-id"));
        assertThat(badLastEventId.getStatus()).isEqualTo(400);
    }

    @Test
    @Exercises({ "submitBatch", "cancelBatch", "deleteBatch", "getBatch" })
    void aRunningBatchIsCancelledWithAReasonThenDeleted() throws ApiException {
        UUID id = batches.submitBatch(new BatchRequest().jobs(List.of(sleep("long", "PT60S"))), null).getId();

        ProblemDetail stillActive = problem(() -> batches.deleteBatch(id));
        assertThat(stillActive.getStatus()).isEqualTo(409);
        assertThat(stillActive.getType()).isEqualTo(URI.create("https://failfast.dev/problems/conflict"));
        assertThat(stillActive.getState()).isIn("QUEUED", "RUNNING");

        BatchResponse cancelling = batches.cancelBatch(id, new CancelRequest().reason("wrong input"));
        assertThat(cancelling.getCancellation().getCause()).isEqualTo(Cancellation.CauseEnum.USER_REQUESTED);
        await().atMost(Duration.ofSeconds(30))
            .until(() -> batches.getBatch(id).getState() == BatchResponse.StateEnum.CANCELLED);
        assertThat(batches.getBatch(id).getCancellation().getReason()).isEqualTo("wrong input");

        // The client accepts only application/problem+json here, the one type the
        // document
        // declares for this operation: the server must not answer 406.
        ApiResponse<Void> deleted = batches.deleteBatchWithHttpInfo(id);
        assertThat(deleted.getStatusCode()).isEqualTo(204);
        assertThat(problem(() -> batches.getBatch(id)).getStatus()).isEqualTo(404);
    }

    @Test
    @Exercises({ "submitBatch", "cancelBatch" })
    void aBatchIsCancelledWithoutABody() throws ApiException {
        UUID id = batches.submitBatch(new BatchRequest().jobs(List.of(sleep("long", "PT60S"))), null).getId();

        BatchResponse cancelling = batches.cancelBatch(id, null);

        assertThat(cancelling.getCancellation().getCause()).isEqualTo(Cancellation.CauseEnum.USER_REQUESTED);
        assertThat(cancelling.getCancellation().getReason()).isNull();
        ProblemDetail terminal = await().atMost(Duration.ofSeconds(30)).until(() -> {
            try {
                batches.cancelBatch(id, null);
                return null;
            }
            catch (ApiException e) {
                return decode(e);
            }
        }, problem -> problem != null);
        assertThat(terminal.getStatus()).isEqualTo(409);
        assertThat(terminal.getState()).isEqualTo("CANCELLED");
    }

    @Test
    @Exercises({ "submitBatch", "getBatch", "redriveBatch" })
    void aFailedBatchIsRedrivenAsItsNextRunOncePerIdempotencyKey() throws ApiException {
        UUID id = batches
            .submitBatch(
                    new BatchRequest().failurePolicy(BatchRequest.FailurePolicyEnum.CONTINUE)
                        .jobs(List.of(sleep("ok", "PT0S"), sleep("bad", "PT0S").putParamsItem("failAfter", "PT0S"))),
                    null)
            .getId();
        await().atMost(Duration.ofSeconds(30))
            .until(() -> batches.getBatch(id).getState() == BatchResponse.StateEnum.FAILED);
        ProblemDetail unknownJob = problem(
                () -> batches.redriveBatch(id, null, new RedriveRequest().jobIds(List.of("nope"))));
        assertThat(unknownJob.getStatus()).isEqualTo(400);
        assertThat(unknownJob.getErrors()).extracting(FieldProblem::getField).containsExactly("jobIds[0]");

        RedriveRequest failedOnes = new RedriveRequest().states(List.of(RedriveRequest.StatesEnum.FAILED));
        String key = UUID.randomUUID().toString();
        ApiResponse<BatchResponse> redriven = batches.redriveBatchWithHttpInfo(id, key, failedOnes);
        assertThat(redriven.getStatusCode()).isEqualTo(202);
        assertThat(redriven.getData().getRun()).isEqualTo(2);
        assertThat(redriven.getData().getRuns()).extracting(Run::getNumber).containsExactly(1, 2);
        assertThat(redriven.getData().getRuns().get(1).getRedrivenJobs()).isOne();
        await().atMost(Duration.ofSeconds(30))
            .until(() -> batches.getBatch(id).getState() == BatchResponse.StateEnum.FAILED);

        ApiResponse<BatchResponse> again = batches.redriveBatchWithHttpInfo(id, key, failedOnes);
        assertThat(again.getStatusCode()).isEqualTo(200);
        assertThat(again.getData().getRun()).isEqualTo(2);
        BatchResponse everyStopped = batches.redriveBatch(id, null, null);
        assertThat(everyStopped.getRun()).isEqualTo(3);
        assertThat(everyStopped.getState()).isEqualTo(BatchResponse.StateEnum.QUEUED);
    }

    @Test
    @Exercises({ "getCaller" })
    void aCallerLearnsItsTenantAndScopes() throws ApiException {
        CallerResponse me = new CallerApi(client(tenantKey.getKey())).getCaller();

        assertThat(me.getTenant()).isEqualTo(tenant);
        assertThat(me.getPrincipal()).isEqualTo("key:" + tenantKey.getId());
        assertThat(me.getScopes()).containsExactlyInAnyOrder("batches:read", "batches:write", "batches:cancel",
                "batches:delete");
        assertThat(problem(() -> new CallerApi(client("ffk_not-a-key")).getCaller()).getStatus()).isEqualTo(401);
    }

    @Test
    @Exercises({ "createApiKey", "listApiKeys", "getApiKey", "revokeApiKey" })
    void anApiKeyIsCreatedListedReadAndRevoked() throws ApiException {
        NewApiKeyResponse created = admin.createApiKey(new ApiKeyRequest().name("reader")
            .tenant(tenant)
            .scopes(List.of(ScopesEnum.BATCHES_READ))
            .expiresAt(OffsetDateTime.now(ZoneOffset.UTC).plusDays(1)));
        BatchesApi reader = new BatchesApi(client(created.getKey()));
        assertThat(reader.listBatches(null, null, null, 0, 20).getContent()).isEmpty();

        assertThat(admin.listApiKeys(tenant, 0, 100).getContent()).extracting(ApiKeyResponse::getId)
            .containsExactlyInAnyOrder(created.getId(), tenantKey.getId());
        ApiKeyResponse read = admin.getApiKey(created.getId());
        assertThat(read.getScopes()).containsExactly("batches:read");
        assertThat(read.getActive()).isTrue();
        assertThat(read.getRevokedAt()).isNull();

        // Accepts only application/problem+json, as for deleting a batch.
        assertThat(admin.revokeApiKeyWithHttpInfo(created.getId()).getStatusCode()).isEqualTo(204);

        ApiKeyResponse revoked = admin.getApiKey(created.getId());
        assertThat(revoked.getActive()).isFalse();
        assertThat(revoked.getRevokedAt()).isNotNull();
        ProblemDetail unauthorized = problem(() -> reader.listBatches(null, null, null, 0, 20));
        assertThat(unauthorized.getStatus()).isEqualTo(401);
        assertThat(unauthorized.getType()).isEqualTo(URI.create("https://failfast.dev/problems/unauthorized"));
        assertThat(problem(() -> admin.getApiKey(UUID.randomUUID())).getStatus()).isEqualTo(404);
    }

    @Test
    @Exercises({ "getBatch", "getJob", "listJobs", "streamBatchEvents", "deleteBatch", "cancelBatch", "redriveBatch" })
    void anUnknownBatchIsANotFoundProblemOnEveryOperationOfABatch() {
        UUID unknown = UUID.randomUUID();
        List<ThrowingCall> calls = List.of(() -> batches.getBatch(unknown), () -> batches.getJob(unknown, "a"),
                () -> batches.listJobs(unknown, null, 0, 10), () -> batches.streamBatchEvents(unknown, null),
                () -> batches.deleteBatch(unknown), () -> batches.cancelBatch(unknown, null),
                () -> batches.redriveBatch(unknown, null, null));

        for (ThrowingCall call : calls) {
            ProblemDetail notFound = problem(call);
            assertThat(notFound.getStatus()).isEqualTo(404);
            assertThat(notFound.getType()).isEqualTo(URI.create("https://failfast.dev/problems/not-found"));
            assertThat(notFound.getTitle()).isEqualTo("Not found");
            assertThat(notFound.getInstance()).startsWith("/api/v1/batches/" + unknown);
        }
    }

    @Test
    @Exercises({ "submitBatch", "listBatches" })
    void invalidRequestsAreValidationProblemsNamingTheirFields() {
        BatchRequest invalid = new BatchRequest().jobs(List.of(new JobRequest().id("a").type("sleeep"),
                new JobRequest().id("b").type("sleep").params(Map.of())));

        ProblemDetail problem = problem(() -> batches.submitBatch(invalid, null));

        assertThat(problem.getStatus()).isEqualTo(400);
        assertThat(problem.getType()).isEqualTo(URI.create("https://failfast.dev/problems/invalid-request"));
        assertThat(problem.getInstance()).isEqualTo("/api/v1/batches");
        assertThat(problem.getErrors()).extracting(FieldProblem::getField)
            .containsExactly("jobs[0].type", "jobs[1].params.duration");
        ProblemDetail badPage = problem(() -> batches.listBatches(null, null, null, 0, 0));
        assertThat(badPage.getErrors()).extracting(FieldProblem::getField).containsExactly("size");
    }

    @Test
    @Exercises({ "submitBatch" })
    void anIdempotencyKeyReturnsTheBatchItCreatedAndRefusesAnotherBody() throws ApiException {
        BatchRequest request = new BatchRequest().name("once").jobs(List.of(sleep("a", "PT0.01S")));
        String key = UUID.randomUUID().toString();

        ApiResponse<BatchResponse> first = batches.submitBatchWithHttpInfo(request, key);
        ApiResponse<BatchResponse> again = batches.submitBatchWithHttpInfo(request, key);
        ProblemDetail reused = problem(() -> batches.submitBatch(request.name("other"), key));

        assertThat(first.getStatusCode()).isEqualTo(202);
        assertThat(again.getStatusCode()).isEqualTo(200);
        assertThat(again.getData().getId()).isEqualTo(first.getData().getId());
        assertThat(reused.getStatus()).isEqualTo(422);
        assertThat(reused.getBatchId()).isEqualTo(first.getData().getId());
    }

    @Test
    @Exercises({ "createApiKey", "deleteBatch" })
    void aMissingScopeIsAForbiddenProblemNamingIt() throws ApiException {
        NewApiKeyResponse readOnly = admin
            .createApiKey(new ApiKeyRequest().name("reader").tenant(tenant).scopes(List.of(ScopesEnum.BATCHES_READ)));

        ProblemDetail cannotDelete = problem(
                () -> new BatchesApi(client(readOnly.getKey())).deleteBatch(UUID.randomUUID()));
        ProblemDetail notAdmin = problem(() -> new ApiKeysApi(client(tenantKey.getKey()))
            .createApiKey(new ApiKeyRequest().name("mine").tenant(tenant).scopes(List.of(ScopesEnum.ADMIN))));

        assertThat(cannotDelete.getStatus()).isEqualTo(403);
        assertThat(cannotDelete.getType()).isEqualTo(URI.create("https://failfast.dev/problems/missing-scope"));
        assertThat(cannotDelete.getRequiredScope()).isEqualTo("batches:delete");
        assertThat(notAdmin.getStatus()).isEqualTo(403);
        assertThat(notAdmin.getRequiredScope()).isEqualTo("admin");
    }

    /**
     * A batch's webhook gets its end, signed with the target's secret as a receiver
     * verifies it; every attempt shows on the batch, and a delivered notification is sent
     * again with the same {@code webhook-id}.
     */
    @Test
    @Exercises({ "submitBatch", "listNotifications", "resendNotification" })
    void aBatchNotifiesItsWebhookSignedAndANotificationIsResent() throws Exception {
        NotificationsApi notifications = new NotificationsApi(client(tenantKey.getKey()));
        try (WebhookReceiver receiver = WebhookReceiver.accepting()) {
            BatchResponse submitted = batches.submitBatch(new BatchRequest().name("notified")
                .jobs(List.of(sleep("boom", "PT0S").putParamsItem("failAfter", "PT0S")))
                .notifications(List.of(new NotificationRequest().url(receiver.url("/hooks"))
                    .events(List.of(NotificationRequest.EventsEnum.BATCH_FAILED))
                    .secret(SECRET))), null);
            assertThat(submitted.getNotifications()).singleElement().satisfies(target -> {
                assertThat(target.getUrl()).isEqualTo(receiver.url("/hooks"));
                assertThat(target.getOwnSecret()).isTrue();
            });

            NotificationResponse delivered = await().atMost(Duration.ofSeconds(30))
                .until(() -> notifications.listNotifications(submitted.getId()),
                        list -> list.size() == 1 && list.getFirst().getStatus() == StatusEnum.DELIVERED)
                .getFirst();
            assertThat(delivered.getEvent()).isEqualTo("batch.failed");
            assertThat(delivered.getTarget()).isEqualTo("batch:0");
            assertThat(delivered.getAttempts()).isOne();
            assertThat(delivered.getLastStatus()).isEqualTo(200);
            WebhookReceiver.Delivery request = receiver.requests().getFirst();
            assertThat(request.header("webhook-id")).isEqualTo(delivered.getId().toString());
            assertThat(request.header("webhook-signature")).isEqualTo(
                    signature(request.header("webhook-id"), request.header("webhook-timestamp"), request.body()));
            assertThat(mapper.readTree(request.body()).at("/data/id").asText()).isEqualTo(submitted.getId().toString());

            ApiResponse<NotificationResponse> resent = notifications.resendNotificationWithHttpInfo(submitted.getId(),
                    delivered.getId());
            assertThat(resent.getStatusCode()).isEqualTo(202);
            assertThat(resent.getData().getId()).isEqualTo(delivered.getId());
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() == 2);
            assertThat(receiver.requests().get(1).header("webhook-id")).isEqualTo(delivered.getId().toString());
            assertThat(receiver.requests().get(1).body()).isEqualTo(request.body());
            assertThat(
                    problem(() -> notifications.resendNotification(submitted.getId(), UUID.randomUUID())).getStatus())
                .isEqualTo(404);
        }
    }

    /**
     * A subscription's generated secret is shown once; a rotation keeps the old secret
     * signing for the overlap; the scope is needed.
     */
    @Test
    @Exercises({ "createApiKey", "createSubscription", "listSubscriptions", "getSubscription",
            "rotateSubscriptionSecret", "deleteSubscription" })
    void aSubscriptionIsCreatedListedReadRotatedAndDeleted() throws ApiException {
        NewApiKeyResponse manager = admin.createApiKey(
                new ApiKeyRequest().name("hooks").tenant(tenant).scopes(List.of(ScopesEnum.SUBSCRIPTIONS_MANAGE)));
        SubscriptionsApi subscriptions = new SubscriptionsApi(client(manager.getKey()));

        ApiResponse<SubscriptionResponse> created = subscriptions.createSubscriptionWithHttpInfo(
                new NotificationRequest().url("https://hooks.example.com/failfast?token=t0p")
                    .events(List.of(NotificationRequest.EventsEnum.BATCH_FINISHED)));
        assertThat(created.getStatusCode()).isEqualTo(201);
        SubscriptionResponse subscription = created.getData();
        assertThat(subscription.getSecret()).as("generated, shown this once").startsWith("whsec_");
        assertThat(subscription.getUrl()).doesNotContain("t0p");
        assertThat(subscription.getEvents()).containsExactly("batch.finished");
        UUID id = subscription.getId();
        assertThat(subscriptions.listSubscriptions()).extracting(SubscriptionResponse::getId).containsExactly(id);
        SubscriptionResponse read = subscriptions.getSubscription(id);
        assertThat(read.getSecret()).isNull();
        assertThat(read.getPreviousSecretExpiresAt()).isNull();

        SubscriptionResponse rotated = subscriptions.rotateSubscriptionSecret(id, null);
        assertThat(rotated.getSecret()).startsWith("whsec_").isNotEqualTo(subscription.getSecret());
        assertThat(rotated.getPreviousSecretExpiresAt()).isNotNull();
        SubscriptionResponse chosen = subscriptions.rotateSubscriptionSecret(id,
                new RotateSecretRequest().secret(SECRET));
        assertThat(chosen.getSecret()).as("the client's own secret is never echoed").isNull();
        ProblemDetail notASecret = problem(
                () -> subscriptions.rotateSubscriptionSecret(id, new RotateSecretRequest().secret("hunter2")));
        assertThat(notASecret.getStatus()).isEqualTo(400);
        assertThat(notASecret.getErrors()).extracting(FieldProblem::getField).containsExactly("secret");

        assertThat(subscriptions.deleteSubscriptionWithHttpInfo(id).getStatusCode()).isEqualTo(204);
        assertThat(problem(() -> subscriptions.getSubscription(id)).getStatus()).isEqualTo(404);
        ProblemDetail noScope = problem(() -> new SubscriptionsApi(client(tenantKey.getKey())).listSubscriptions());
        assertThat(noScope.getStatus()).isEqualTo(403);
        assertThat(noScope.getRequiredScope()).isEqualTo("subscriptions:manage");
    }

    /**
     * A worker registers, claims the tenant's remote jobs, heartbeats with progress,
     * reports one success and one failure, and stops; its stream of an unknown worker is
     * a problem like any other.
     */
    @Test
    @Exercises({ "createApiKey", "registerWorker", "listWorkers", "getWorker", "claimAttempts", "heartbeatWorker",
            "completeAttempt", "failAttempt", "drainWorker", "streamWorkerEvents", "deleteWorker", "submitBatch",
            "getJob" })
    void aWorkerRegistersClaimsHeartbeatsReportsAndStops() throws ApiException {
        NewApiKeyResponse key = admin
            .createApiKey(new ApiKeyRequest().name("worker").tenant(tenant).scopes(List.of(ScopesEnum.WORKERS_RUN)));
        WorkersApi workers = new WorkersApi(client(key.getKey()));
        WorkerResponse worker = workers
            .registerWorker(new WorkerRequest().name("generated").types(Set.of("gen")).capacity(2));
        assertThat(worker.getTypes()).containsExactly("gen");
        assertThat(worker.getLeaseTtl()).isEqualTo("PT15S");
        BatchResponse batch = batches
            .submitBatch(new BatchRequest().failurePolicy(BatchRequest.FailurePolicyEnum.CONTINUE)
                .jobs(List.of(new JobRequest().id("a").type("remote:gen").putParamsItem("n", 1),
                        new JobRequest().id("b").type("remote:gen").putParamsItem("n", 2))),
                    null);

        List<WorkerAttemptResponse> claimed = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            claimed.addAll(workers.claimAttempts(worker.getId(), new ClaimRequest().max(2).wait("PT1S")).getAttempts());
            return claimed.size() == 2;
        });
        WorkerAttemptResponse a = claimed.stream().filter(c -> c.getJobId().equals("a")).findFirst().orElseThrow();
        WorkerAttemptResponse b = claimed.stream().filter(c -> c.getJobId().equals("b")).findFirst().orElseThrow();
        assertThat(a.getType()).isEqualTo("remote:gen");
        assertThat(a.getParams()).containsEntry("n", 1);
        HeartbeatResponse beat = workers.heartbeatWorker(worker.getId(),
                new HeartbeatRequest().progress(Map.of(a.getId().toString(), Map.of("done", 0.5))));
        assertThat(beat.getCancelled()).isEmpty();
        assertThat(beat.getUnknown()).isEmpty();
        assertThat(workers.getWorker(worker.getId()).getAttempts()).hasSize(2);
        assertThat(workers.listWorkers()).extracting(WorkerResponse::getId).containsExactly(worker.getId());

        workers.completeAttempt(worker.getId(), a.getId(), new CompleteRequest().result(Map.of("ok", true)));
        workers.failAttempt(worker.getId(), b.getId(),
                new FailRequest().errorType("S3_NOT_FOUND").message("no such key").status(404));
        await().atMost(Duration.ofSeconds(20))
            .until(() -> batches.getJob(batch.getId(), "b").getState() == JobResponse.StateEnum.FAILED);
        assertThat(batches.getJob(batch.getId(), "b").getError().getType()).isEqualTo("S3_NOT_FOUND");
        assertThat(batches.getJob(batch.getId(), "a").getState()).isEqualTo(JobResponse.StateEnum.SUCCEEDED);

        workers.drainWorker(worker.getId());
        assertThat(workers.claimAttempts(worker.getId(), new ClaimRequest().wait("PT5S")).getAttempts()).isEmpty();
        workers.deleteWorker(worker.getId());
        assertThat(problem(() -> workers.getWorker(worker.getId())).getStatus()).isEqualTo(404);
        assertThat(problem(() -> workers.streamWorkerEvents(worker.getId())).getStatus()).isEqualTo(404);
        ProblemDetail noScope = problem(() -> new WorkersApi(client(tenantKey.getKey())).listWorkers());
        assertThat(noScope.getRequiredScope()).isEqualTo("workers:run");
    }

    /** The Standard Webhooks signature of a delivery, as a receiver computes it. */
    private static String signature(String id, String timestamp, String body) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(SECRET.substring("whsec_".length())), "HmacSHA256"));
        mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    /** No operation of the document goes untested: a new one needs a test here. */
    @Test
    void everyOperationOfTheDocumentIsExercised() {
        Set<String> documented = new TreeSet<>();
        DocumentedExchanges.operations().forEach(operation -> documented.add(operation.id()));
        Set<String> exercised = new TreeSet<>();
        for (Method method : GeneratedClientTest.class.getDeclaredMethods()) {
            Exercises exercises = method.getAnnotation(Exercises.class);
            if (exercises != null) {
                exercised.addAll(Arrays.asList(exercises.value()));
            }
        }

        assertThat(exercised).as("operations of %s the tests here call (@Exercises)", DocumentedExchanges.DOCUMENT)
            .isEqualTo(documented);
    }

    /** A call of the generated client that is expected to fail. */
    @FunctionalInterface
    interface ThrowingCall {

        void call() throws ApiException;

    }

    /**
     * The problem detail {@code call} failed with, as the generated client decodes it.
     */
    private ProblemDetail problem(ThrowingCall call) {
        ApiException failure = catchThrowableOfType(ApiException.class, call::call);
        assertThat(failure).as("the call failed").isNotNull();
        assertThat(failure.getResponseHeaders().firstValue("Content-Type"))
            .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        return decode(failure);
    }

    private ProblemDetail decode(ApiException failure) {
        try {
            return mapper.readValue(failure.getResponseBody(), ProblemDetail.class);
        }
        catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError("not a problem detail the document declares: " + failure.getResponseBody(), e);
        }
    }

    private ApiClient client(String key) {
        ApiClient client = new ApiClient(HttpClient.newBuilder(), mapper, "http://localhost:" + port);
        client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + key));
        client.setResponseInterceptor(exchanges);
        client.setReadTimeout(Duration.ofSeconds(30));
        return client;
    }

    private static JobRequest sleep(String id, String duration) {
        return new JobRequest().id(id).type("sleep").putParamsItem("duration", duration);
    }

}
