package dev.failfast.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverter;
import io.swagger.v3.core.converter.ModelConverterContext;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.media.Schema;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Nullness;
import org.springframework.stereotype.Component;

/**
 * Marks as nullable ({@code "type": ["string", "null"]}, or {@code oneOf} a reference and
 * {@code null}) each property of a record whose component is {@code @Nullable}. The
 * service writes null members ({@code spring.jackson.default-property-inclusion: always})
 * and a client generated from the document must be told which may be null; the schema
 * generator reads Jackson's annotations, not JSpecify's.
 */
@Component
class NullableProperties implements ModelConverter {

    private static final String REF_PREFIX = "#/components/schemas/";

    private static final String NULL = "null";

    @Override
    @SuppressWarnings({ "rawtypes", "unchecked" })
    public @Nullable Schema resolve(AnnotatedType type, ModelConverterContext context, Iterator<ModelConverter> chain) {
        if (!chain.hasNext()) {
            return null;
        }
        Schema resolved = chain.next().resolve(type, context, chain);
        Class<?> raw = Json.mapper().constructType(type.getType()).getRawClass();
        if (resolved == null || !raw.isRecord()) {
            return resolved;
        }
        Schema model = resolved.get$ref() == null ? resolved
                : context.getDefinedModels().get(resolved.get$ref().substring(REF_PREFIX.length()));
        if (model == null || model.getProperties() == null) {
            return resolved;
        }
        Map<String, Schema> properties = model.getProperties();
        List<String> required = model.getRequired() == null ? List.of() : model.getRequired();
        for (RecordComponent component : raw.getRecordComponents()) {
            String name = propertyName(component);
            Schema property = properties.get(name);
            // A required property of a request (@NotNull, @NotBlank) is nullable in Java
            // only
            // until it is validated: null is refused.
            if (property != null && !required.contains(name)
                    && Nullness.forMethodReturnType(component.getAccessor()) == Nullness.NULLABLE) {
                properties.put(name, nullable(property));
            }
        }
        return resolved;
    }

    @SuppressWarnings({ "rawtypes", "unchecked" })
    private static Schema nullable(Schema property) {
        if (property.get$ref() != null) {
            // A reference cannot take a second type: null is its alternative. The
            // description stays on the property.
            Schema wrapped = new Schema<>(property.getSpecVersion());
            wrapped.setDescription(property.getDescription());
            Schema reference = new Schema<>(property.getSpecVersion()).$ref(property.get$ref());
            Schema none = new Schema<>(property.getSpecVersion()).types(new LinkedHashSet<>(List.of(NULL)));
            wrapped.setOneOf(new ArrayList<>(List.of(reference, none)));
            return wrapped;
        }
        Set<String> types = property.getTypes();
        if (types == null || types.isEmpty()) {
            // Any JSON value: null included already.
            return property;
        }
        if (!types.contains(NULL)) {
            Set<String> withNull = new LinkedHashSet<>(types);
            withNull.add(NULL);
            property.setTypes(withNull);
        }
        List<Object> values = property.getEnum();
        if (values != null && !values.contains(null)) {
            List<Object> withNull = new ArrayList<>(values);
            withNull.add(null);
            property.setEnum(withNull);
        }
        return property;
    }

    private static String propertyName(RecordComponent component) {
        JsonProperty renamed = component.getAnnotation(JsonProperty.class);
        return renamed == null || renamed.value().isEmpty() ? component.getName() : renamed.value();
    }

}
