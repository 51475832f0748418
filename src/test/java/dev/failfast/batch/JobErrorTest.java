package dev.failfast.batch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Error types from custom job types are cut to what the store keeps, never mid-character.
 */
class JobErrorTest {

    @Test
    void aLongTypeIsCutToTheMaximumLength() {
        assertThat(new JobError("X".repeat(500), "m", null).type()).hasSize(JobError.MAX_TYPE_LENGTH);
        assertThat(new JobError("TIMEOUT", "m", null).type()).isEqualTo("TIMEOUT");
    }

    @Test
    void aSurrogatePairAtTheCutIsDroppedWhole() {
        String type = "X".repeat(JobError.MAX_TYPE_LENGTH - 1) + "😀" + "tail";

        assertThat(new JobError(type, "m", null).type()).isEqualTo("X".repeat(JobError.MAX_TYPE_LENGTH - 1));
    }

}
