package dev.failfast.api;

import dev.failfast.batch.Caller;
import dev.failfast.batch.Owner;
import dev.failfast.security.ApiKeys;
import dev.failfast.security.NewApiKey;
import dev.failfast.security.Scope;
import dev.failfast.settings.FailfastProperties;
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
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
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
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/** Create, list and revoke API keys: the admin scope's business. */
@RestController
@RequestMapping(path = "/api/v1/api-keys", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "API keys", description = "Keys clients send as 'Authorization: Bearer <key>'; needs the admin scope")
class ApiKeyController {

    private final ApiKeys keys;

    private final Clock clock;

    private final PageLimits pages;

    ApiKeyController(ApiKeys keys, Clock clock, FailfastProperties properties) {
        this.keys = keys;
        this.clock = clock;
        this.pages = new PageLimits(properties.limits());
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "createApiKey", summary = "Create an API key",
            description = "The response holds the key itself, this once: the service keeps only a hash of it.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(
                    content = @Content(schema = @Schema(implementation = ApiKeyRequest.class),
                            examples = @ExampleObject(name = "ci", value = ApiExamples.CREATE_KEY))))
    @ApiResponse(responseCode = "201", description = "Created; the body holds the key, shown this once",
            content = @Content(schema = @Schema(implementation = NewApiKeyResponse.class),
                    examples = @ExampleObject(value = ApiExamples.CREATED_KEY)))
    @ApiResponse(responseCode = "400",
            description = "Invalid request: an unknown scope, a bad tenant name, an expiry not in the future",
            content = @Content)
    ResponseEntity<NewApiKeyResponse> create(@AuthenticationPrincipal Caller caller,
            @Valid @RequestBody ApiKeyRequest request) {
        Set<Scope> scopes = scopes(Objects.requireNonNull(request.scopes()));
        NewApiKey created;
        try {
            created = keys.create(caller, Objects.requireNonNull(request.name()).strip(),
                    Objects.requireNonNull(request.tenant()), scopes, request.expiresAt());
        }
        catch (IllegalArgumentException e) {
            throw new InvalidFieldsException(
                    List.of(new ProblemHandler.FieldProblem("expiresAt", String.valueOf(e.getMessage()))));
        }
        var location = ServletUriComponentsBuilder.fromCurrentRequest()
            .path("/{id}")
            .buildAndExpand(created.apiKey().id())
            .toUri();
        return ResponseEntity.created(location).body(NewApiKeyResponse.of(created));
    }

    private static Set<Scope> scopes(List<String> values) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        List<ProblemHandler.FieldProblem> unknown = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            int index = i;
            Scope.of(values.get(i))
                .ifPresentOrElse(scopes::add, () -> unknown.add(new ProblemHandler.FieldProblem("scopes[" + index + "]",
                        "is not a scope; one of " + List.of(Scope.values()))));
        }
        if (!unknown.isEmpty()) {
            throw new InvalidFieldsException(unknown);
        }
        return scopes;
    }

    @GetMapping
    @Operation(operationId = "listApiKeys", summary = "List API keys, newest first",
            description = "Revoked and expired keys included; never the keys themselves.")
    @ApiResponse(responseCode = "200", description = "One page of keys")
    PageResponse<ApiKeyResponse> list(
            @Parameter(description = "Only keys of this tenant") @RequestParam(required = false) @Nullable @Pattern(
                    regexp = Owner.TENANT_PATTERN, message = "is not a tenant name") String tenant,
            @Parameter(description = "Zero-based page number") @RequestParam(defaultValue = "0") @Min(0) int page,
            @Parameter(description = "Page size, at most failfast.limits.max-page-size") @RequestParam(
                    defaultValue = "100") @Min(1) int size) {
        Instant now = clock.instant();
        return PageResponse.of(keys.list(tenant, pages.byOffset(page, size, "tenant=")),
                key -> ApiKeyResponse.of(key, now));
    }

    @GetMapping("/{id}")
    @Operation(operationId = "getApiKey", summary = "Get one API key",
            description = "Its tenant, scopes, expiry and whether it is revoked; never the key itself.")
    @ApiResponse(responseCode = "200", description = "The key (never the key itself)")
    @ApiResponse(responseCode = "404", description = "No such key", content = @Content)
    ApiKeyResponse get(@PathVariable UUID id) {
        return keys.find(id)
            .map(key -> ApiKeyResponse.of(key, clock.instant()))
            .orElseThrow(() -> new ApiKeyNotFoundException(id));
    }

    // Any Accept, as for deleting a batch: a 204 has no body, an error is a problem
    // detail.
    @DeleteMapping(path = "/{id}", produces = MediaType.ALL_VALUE)
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(operationId = "revokeApiKey", summary = "Revoke an API key",
            description = "From this moment no replica accepts it. Revoking a revoked key changes nothing.")
    @ApiResponse(responseCode = "204", description = "Revoked")
    @ApiResponse(responseCode = "404", description = "No such key", content = @Content)
    void revoke(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        if (keys.revoke(caller, id).isEmpty()) {
            throw new ApiKeyNotFoundException(id);
        }
    }

    /** No key has this id. */
    static final class ApiKeyNotFoundException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        ApiKeyNotFoundException(UUID id) {
            super("API key " + id + " not found");
        }

    }

}
