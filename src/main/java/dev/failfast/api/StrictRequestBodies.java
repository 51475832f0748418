package dev.failfast.api;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Schema;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.boot.http.converter.autoconfigure.ServerHttpMessageConvertersCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.ResolvableType;
import org.springframework.http.MediaType;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON request bodies are read strictly: a field the request does not declare, at any
 * depth, is a 400 naming it ({@code jobs[0].retyr}) instead of being dropped. A mistyped
 * optional field would otherwise run a batch without the setting the client meant
 * ({@code maxFailurez} and no failure tolerance at all). Free-form objects (a job's
 * {@code params}, {@code labels}) are trees or maps and take any field; each job type's
 * handler checks its own params.
 *
 * <p>
 * Only request bodies: the application's {@link JsonMapper} stays lenient, since the
 * store reads its own JSON with it, and responses are written as before. The OpenAPI
 * document says so: the schemas of request bodies have {@code additionalProperties:
 * false}.
 */
@Configuration(proxyBeanMethods = false)
class StrictRequestBodies {

    /**
     * Ahead of the default JSON converter (custom converters come first), so it reads
     * every {@code application/json} body; it writes nothing.
     */
    @Bean
    ServerHttpMessageConvertersCustomizer strictRequestBodyReader(JsonMapper jsonMapper) {
        return builder -> builder.addCustomConverter(new StrictReader(jsonMapper));
    }

    /**
     * Closes each object schema a request body reaches ({@code BatchRequest}, its
     * {@code JobRequest} and {@code RetryRequest}, …); free-form members, declared with
     * {@code additionalProperties} of their own ({@code params}, {@code labels}), stay
     * open.
     */
    @Bean
    OpenApiCustomizer closedRequestSchemas() {
        return openApi -> requestSchemaNames(openApi).forEach(name -> {
            Schema<?> schema = openApi.getComponents().getSchemas().get(name);
            if (schema != null && schema.getProperties() != null && schema.getAdditionalProperties() == null) {
                schema.setAdditionalProperties(false);
            }
        });
    }

    /** The component schemas request bodies refer to, directly or through members. */
    private static Set<String> requestSchemaNames(OpenAPI openApi) {
        Set<String> names = new LinkedHashSet<>();
        Deque<Schema<?>> pending = new ArrayDeque<>();
        openApi.getPaths()
            .values()
            .stream()
            .flatMap(path -> path.readOperations().stream())
            .map(Operation::getRequestBody)
            .filter(body -> body != null && body.getContent() != null)
            .flatMap(body -> body.getContent().values().stream())
            .filter(mediaType -> mediaType.getSchema() != null)
            .forEach(mediaType -> pending.add(mediaType.getSchema()));
        var components = openApi.getComponents().getSchemas();
        while (!pending.isEmpty()) {
            Schema<?> schema = pending.pop();
            if (schema.get$ref() != null) {
                String name = schema.get$ref().substring(schema.get$ref().lastIndexOf('/') + 1);
                if (names.add(name) && components.get(name) != null) {
                    pending.add(components.get(name));
                }
                continue;
            }
            if (schema.getProperties() != null) {
                schema.getProperties().values().forEach(pending::add);
            }
            if (schema.getOneOf() != null) {
                schema.getOneOf().forEach(pending::add);
            }
            if (schema.getItems() != null) {
                pending.add(schema.getItems());
            }
        }
        return names;
    }

    /** The default JSON converter, reading with unknown properties refused. */
    static final class StrictReader extends JacksonJsonHttpMessageConverter {

        StrictReader(JsonMapper jsonMapper) {
            super(jsonMapper);
        }

        @Override
        protected ObjectReader customizeReader(ObjectReader reader, JavaType javaType) {
            return super.customizeReader(reader, javaType).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        }

        @Override
        public boolean canWrite(ResolvableType type, Class<?> valueClass, @Nullable MediaType mediaType) {
            return false;
        }

        @Override
        public boolean canWrite(Class<?> clazz, @Nullable MediaType mediaType) {
            return false;
        }

    }

}
