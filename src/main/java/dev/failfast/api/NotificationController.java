package dev.failfast.api;

import dev.failfast.batch.Caller;
import dev.failfast.engine.BatchEngine;
import dev.failfast.notify.NotificationDelivery;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.NotificationStatus;
import dev.failfast.store.NotificationStore;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** A batch's notifications: every delivery attempt visible, and a re-send. */
@RestController
@RequestMapping(path = "/api/v1/batches/{id}/notifications", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Notifications", description = "The webhooks told of a batch's events, and their deliveries")
class NotificationController {

    private final BatchEngine engine;

    private final NotificationStore notifications;

    private final NotificationDelivery delivery;

    private final Clock clock;

    private final Duration retryFor;

    NotificationController(BatchEngine engine, NotificationStore notifications, NotificationDelivery delivery,
            Clock clock, FailfastProperties properties) {
        this.engine = engine;
        this.notifications = notifications;
        this.delivery = delivery;
        this.clock = clock;
        this.retryFor = properties.notifications().retryFor();
    }

    @GetMapping
    @Operation(operationId = "listNotifications", summary = "List a batch's notifications",
            description = "One per event of each run and target (the batch's own and its tenant's subscriptions), "
                    + "oldest first, with its delivery so far: status, attempts, the last HTTP status and error, "
                    + "the next try.")
    @ApiResponse(responseCode = "200", description = "The batch's notifications",
            content = @Content(array = @ArraySchema(schema = @Schema(implementation = NotificationResponse.class)),
                    examples = @ExampleObject(value = ApiExamples.NOTIFICATIONS)))
    @ApiResponse(responseCode = "404", description = "No such batch", content = @Content)
    List<NotificationResponse> list(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        engine.find(caller, id);
        return notifications.findByBatch(id).stream().map(NotificationResponse::of).toList();
    }

    @PostMapping("/{notificationId}/resend")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(operationId = "resendNotification", summary = "Send a notification again",
            description = "A FAILED notification (or a DELIVERED one a receiver lost) is PENDING again, due now and "
                    + "retried for another failfast.notifications.retry-for, with the same webhook-id and payload.")
    @ApiResponse(responseCode = "202", description = "Due again; its status",
            content = @Content(schema = @Schema(implementation = NotificationResponse.class)))
    @ApiResponse(responseCode = "404", description = "No such batch or notification", content = @Content)
    @ApiResponse(responseCode = "409", description = "The notification is PENDING already", content = @Content)
    NotificationResponse resend(@AuthenticationPrincipal Caller caller, @PathVariable UUID id,
            @PathVariable UUID notificationId) {
        engine.find(caller, id);
        var found = notifications.find(id, notificationId)
            .orElseThrow(() -> new ResourceNotFoundException(
                    "Notification " + notificationId + " of batch " + id + " not found"));
        if (found.status() == NotificationStatus.PENDING) {
            throw new ResourceConflictException("Notification " + notificationId + " is PENDING: it is being sent");
        }
        Instant now = clock.instant();
        var resent = notifications.resend(id, notificationId, now, now.plus(retryFor))
            .orElseThrow(() -> new ResourceConflictException(
                    "Notification " + notificationId + " is PENDING: it is being sent"));
        delivery.wake();
        return NotificationResponse.of(resent);
    }

}
