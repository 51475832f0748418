package dev.failfast.api;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** What a claim got: empty when nothing came within its wait. */
@Schema(description = "The attempts claimed; empty when none came within the wait")
record ClaimResponse(List<WorkerAttemptResponse> attempts) {
}
