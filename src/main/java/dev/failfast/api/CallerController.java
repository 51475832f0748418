package dev.failfast.api;

import dev.failfast.batch.Caller;
import dev.failfast.security.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.core.annotation.CurrentSecurityContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Who the caller is: a client (the web console) learns its tenant and scopes here instead
 * of trying operations to find out which are refused.
 */
@RestController
@Tag(name = "Caller", description = "The caller's own credential")
class CallerController {

    private static final String SCOPE_PREFIX = "SCOPE_";

    @GetMapping(path = "/api/v1/me", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "getCaller", summary = "Who the caller is",
            description = "The tenant, principal and scopes of the key or token the request was sent with. "
                    + "Any valid credential may read its own; no scope is needed.")
    @ApiResponse(responseCode = "200", description = "The caller",
            content = @Content(schema = @Schema(implementation = CallerResponse.class),
                    examples = @ExampleObject(value = ApiExamples.CALLER)))
    // From the security context, not the request's principal: with authentication off
    // the caller is an anonymous one, which the servlet request does not show.
    CallerResponse me(@AuthenticationPrincipal Caller caller,
            @CurrentSecurityContext(expression = "authentication") Authentication authentication) {
        List<String> scopes = authentication.getAuthorities()
            .stream()
            .map(GrantedAuthority::getAuthority)
            .filter(authority -> authority != null && authority.startsWith(SCOPE_PREFIX))
            .map(authority -> authority.substring(SCOPE_PREFIX.length()))
            .filter(scope -> Scope.of(scope).isPresent())
            .sorted()
            .toList();
        return new CallerResponse(caller.tenant(), caller.principal(), scopes);
    }

    /** The caller as it shows itself. */
    @Schema(description = "The caller: its tenant, who it is, what it may do")
    record CallerResponse(@Schema(description = "The caller's tenant", example = "team-a") String tenant,
            @Schema(description = "Who the caller is, as batches record it: key:<api key id> or jwt:<token subject>",
                    example = "key:0193c3b0-5d7e-7c4a-9f1e-3b2a1c0d9e8f") String principal,
            @Schema(description = "Its scopes, sorted; admin includes every other",
                    example = "[\"batches:read\", \"batches:write\"]") List<String> scopes) {
    }

}
