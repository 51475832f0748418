package dev.failfast.api;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import dev.failfast.batch.Caller;
import dev.failfast.batch.NotificationTarget;
import dev.failfast.engine.InvalidBatchException.Violation;
import dev.failfast.notify.WebhookSignatures;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.NotificationStore;
import dev.failfast.store.Subscription;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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

/**
 * A tenant's standing subscriptions: webhooks every batch of the tenant notifies, each
 * signed with its own secret, which can be rotated without losing a delivery.
 */
@RestController
@RequestMapping(path = "/api/v1/subscriptions", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Subscriptions",
        description = "Webhooks told of every batch of the caller's tenant; needs the subscriptions:manage scope")
class SubscriptionController {

    private final NotificationStore store;

    private final BatchSpecMapper mapper;

    private final Clock clock;

    private final Duration rotationOverlap;

    private final int maxPerTenant;

    private final TimeBasedEpochGenerator ids = Generators.timeBasedEpochGenerator();

    SubscriptionController(NotificationStore store, BatchSpecMapper mapper, Clock clock,
            FailfastProperties properties) {
        this.store = store;
        this.mapper = mapper;
        this.clock = clock;
        this.rotationOverlap = properties.notifications().rotationOverlap();
        this.maxPerTenant = properties.notifications().maxSubscriptionsPerTenant();
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "createSubscription", summary = "Subscribe a webhook to every batch of the tenant",
            description = "The URL and headers are checked as an http job's. Without a secret, the service "
                    + "generates one and returns it in this response only.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(
                    content = @Content(schema = @Schema(implementation = NotificationRequest.class),
                            examples = @ExampleObject(value = ApiExamples.SUBSCRIBE))))
    @ApiResponse(responseCode = "201", description = "Subscribed",
            content = @Content(schema = @Schema(implementation = SubscriptionResponse.class)))
    @ApiResponse(responseCode = "400", description = "Invalid subscription", content = @Content)
    @ApiResponse(responseCode = "409",
            description = "The tenant has failfast.notifications.max-subscriptions-per-tenant already",
            content = @Content)
    ResponseEntity<SubscriptionResponse> create(@AuthenticationPrincipal Caller caller,
            @Valid @RequestBody NotificationRequest request) {
        String generated = request.secret() == null ? WebhookSignatures.newSecret() : null;
        NotificationTarget target = target(request, caller, generated);
        if (store.subscriptions(caller.tenant()).size() >= maxPerTenant) {
            throw new ResourceConflictException(
                    "Tenant " + caller.tenant() + " has " + maxPerTenant + " subscriptions, the most it may have");
        }
        Instant now = clock.instant();
        var subscription = new Subscription(ids.generate(), caller.tenant(), target.url(), target.events(),
                target.headers(), Objects.requireNonNull(target.secret()), null, null, now, caller.principal());
        store.createSubscription(subscription);
        return ResponseEntity.status(HttpStatus.CREATED)
            .location(URI.create("/api/v1/subscriptions/" + subscription.id()))
            .body(SubscriptionResponse.withSecret(subscription, now, generated));
    }

    @GetMapping
    @Operation(operationId = "listSubscriptions", summary = "List the tenant's subscriptions",
            description = "Oldest first; secrets are never shown.")
    @ApiResponse(responseCode = "200", description = "The tenant's subscriptions")
    List<SubscriptionResponse> list(@AuthenticationPrincipal Caller caller) {
        Instant now = clock.instant();
        return store.subscriptions(caller.tenant()).stream().map(s -> SubscriptionResponse.of(s, now)).toList();
    }

    @GetMapping("/{id}")
    @Operation(operationId = "getSubscription", summary = "Get a subscription",
            description = "One of the caller's tenant's subscriptions, with the URL and headers masked; its secret is "
                    + "never shown.")
    @ApiResponse(responseCode = "200", description = "The subscription")
    @ApiResponse(responseCode = "404", description = "No such subscription of the tenant", content = @Content)
    SubscriptionResponse get(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        return SubscriptionResponse.of(find(caller, id), clock.instant());
    }

    @PostMapping(path = "/{id}/rotate-secret")
    @Operation(operationId = "rotateSubscriptionSecret", summary = "Rotate a subscription's signing secret",
            description = "The new secret signs at once; the one it replaces signs too, for "
                    + "failfast.notifications.rotation-overlap, so that deliveries carry both signatures while "
                    + "receivers switch. The body is optional: without a secret the service generates one and "
                    + "returns it in this response only.")
    @ApiResponse(responseCode = "200", description = "Rotated")
    @ApiResponse(responseCode = "400", description = "Not a whsec_ secret", content = @Content)
    @ApiResponse(responseCode = "404", description = "No such subscription of the tenant", content = @Content)
    SubscriptionResponse rotate(@AuthenticationPrincipal Caller caller, @PathVariable UUID id,
            @Valid @RequestBody(required = false) @Nullable RotateSecretRequest request) {
        Subscription current = find(caller, id);
        String chosen = request == null ? null : request.secret();
        if (chosen != null && !WebhookSignatures.isValidSecret(chosen)) {
            throw new InvalidFieldsException(List.of(new ProblemHandler.FieldProblem("secret",
                    "must be a Standard Webhooks secret: whsec_ and the base64 of 24 to 64 random bytes")));
        }
        String next = chosen == null ? WebhookSignatures.newSecret() : chosen;
        Instant now = clock.instant();
        Subscription rotated = current.rotated(next, now.plus(rotationOverlap));
        if (!store.updateSubscription(rotated)) {
            throw notFound(id);
        }
        return SubscriptionResponse.withSecret(rotated, now, chosen == null ? next : null);
    }

    @DeleteMapping(path = "/{id}", produces = MediaType.ALL_VALUE)
    @Operation(operationId = "deleteSubscription", summary = "Delete a subscription",
            description = "Its pending notifications are not sent any more.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "404", description = "No such subscription of the tenant", content = @Content)
    ResponseEntity<Void> delete(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        find(caller, id);
        store.deleteSubscription(id);
        return ResponseEntity.noContent().build();
    }

    private Subscription find(Caller caller, UUID id) {
        return store.findSubscription(id)
            .filter(s -> s.tenant().equals(caller.tenant()))
            .orElseThrow(() -> notFound(id));
    }

    private static ResourceNotFoundException notFound(UUID id) {
        return new ResourceNotFoundException("Subscription " + id + " not found");
    }

    private NotificationTarget target(NotificationRequest request, Caller caller, @Nullable String generated) {
        NotificationRequest withSecret = generated == null ? request
                : new NotificationRequest(request.url(), request.events(), generated, request.headers());
        List<Violation> violations = new ArrayList<>();
        NotificationTarget target = mapper.toTarget(withSecret, caller.tenant(), "", violations);
        if (target == null) {
            throw new InvalidFieldsException(
                    violations.stream().map(v -> new ProblemHandler.FieldProblem(v.field(), v.message())).toList());
        }
        return target;
    }

}
