package dev.failfast.job;

import dev.failfast.job.InvalidJobParamsException.ParamError;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Binds a job's params to a record and validates it with Bean Validation, turning every
 * problem into an {@link InvalidJobParamsException} that names the param. Job types use
 * it so that they declare their params as an annotated record instead of hand-written
 * checks.
 */
@Component
public class JobParamsBinder {

    private final JsonMapper jsonMapper;

    private final Validator validator;

    public JobParamsBinder(JsonMapper jsonMapper, Validator validator) {
        this.jsonMapper = jsonMapper;
        this.validator = validator;
    }

    public <P> P bind(ObjectNode params, Class<P> type) {
        P bound;
        try {
            bound = jsonMapper.readerFor(type)
                .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .with(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .readValue(params);
        }
        catch (JacksonException e) {
            throw new InvalidJobParamsException(JsonErrors.path(e), JsonErrors.message(e));
        }
        Set<ConstraintViolation<P>> violations = validator.validate(bound);
        if (!violations.isEmpty()) {
            List<ParamError> errors = violations.stream()
                .map(v -> new ParamError(v.getPropertyPath().toString(), v.getMessage()))
                .sorted(Comparator.comparing(ParamError::param))
                .toList();
            throw new InvalidJobParamsException(errors);
        }
        return bound;
    }

}
