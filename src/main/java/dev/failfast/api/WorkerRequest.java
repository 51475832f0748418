package dev.failfast.api;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A worker registering.
 *
 * @param name free text for people (a host name)
 * @param types the job type names it runs, without {@code remote:}
 * @param capacity most attempts it runs at once
 */
@Schema(description = "A worker registering: the remote job types it runs and how many at once")
record WorkerRequest(@Schema(description = "For people: a host or deployment name", example = "downloader-7f9c") @Size(
        max = 100) @Pattern(regexp = BatchRequest.NO_NUL, message = BatchRequest.NO_NUL_MESSAGE) @Nullable String name,
        @ArraySchema(schema = @Schema(description = "A job type name without its remote: prefix", example = "download"),
                minItems = 1, maxItems = 64, uniqueItems = true) @NotNull @Size(min = 1,
                        max = 64) List<@NotNull @Pattern(regexp = NAME,
                                message = "must be 1 to 64 lower-case letters, digits, '.', '_' or '-', "
                                        + "starting with a letter or digit") String> types,
        @Schema(description = "Most attempts held at once; at most failfast.workers.max-capacity",
                example = "8") @NotNull @Min(1) @Max(100_000) Integer capacity) {

    /** A job type name, as in {@code remote:<name>}. */
    static final String NAME = "[a-z0-9][a-z0-9._-]{0,63}";

}
