package dev.failfast.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The manifests {@code helm template} rendered, each parsed into its Kubernetes model
 * class.
 *
 * <p>
 * Parsing is strict: a kind this chart is not expected to render fails, and so does any
 * field the model does not know at any depth (fabric8 models keep unknown fields in
 * {@code additionalProperties} instead of rejecting them, so this walks the parsed tree
 * and rejects every non-empty one). A misspelt {@code readinessProbe} or
 * {@code runAsNonroot} in a template therefore fails here, as the API server would refuse
 * it.
 */
record Manifests(List<HasMetadata> resources) {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = JsonMapper.builder().build();

    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
            Map.entry("v1/ServiceAccount", ServiceAccount.class), Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Service", Service.class), Map.entry("v1/PersistentVolumeClaim", PersistentVolumeClaim.class),
            Map.entry("apps/v1/Deployment", Deployment.class), Map.entry("networking.k8s.io/v1/Ingress", Ingress.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class),
            Map.entry("monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class));

    Manifests {
        resources = List.copyOf(resources);
    }

    /** Parses the multi-document output of {@code helm template}. */
    static Manifests parse(String rendered) {
        var resources = new ArrayList<HasMetadata>();
        try (var documents = YAML.readerFor(JsonNode.class).<JsonNode>readValues(rendered)) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document == null || document.isNull() || document.isMissingNode()) {
                    continue;
                }
                resources.add(parseStrictly(document));
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Manifests(resources);
    }

    static HasMetadata parseStrictly(JsonNode document) {
        String type = document.path("apiVersion").asText() + "/" + document.path("kind").asText();
        Class<? extends HasMetadata> modelClass = KINDS.get(type);
        if (modelClass == null) {
            throw new AssertionError("unexpected manifest " + type + ":\n" + document.toPrettyString());
        }
        HasMetadata resource;
        try {
            resource = YAML.treeToValue(document, modelClass);
        }
        catch (IOException e) {
            throw new AssertionError(type + " does not parse: " + e.getMessage(), e);
        }
        var unknown = new ArrayList<String>();
        collectUnknownFields(resource, type, unknown);
        if (!unknown.isEmpty()) {
            throw new AssertionError("fields the Kubernetes model does not know: " + unknown);
        }
        return resource;
    }

    /** The one resource of this type; fails if there is none or more than one. */
    <T extends HasMetadata> T one(Class<T> type) {
        List<T> all = all(type);
        if (all.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + ", found " + all.size());
        }
        return all.getFirst();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return all(type).stream().filter(r -> r.getMetadata().getName().equals(name)).findFirst();
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return resources.stream().filter(type::isInstance).map(type::cast).toList();
    }

    List<String> kinds() {
        return resources.stream().map(HasMetadata::getKind).sorted().toList();
    }

    private static void collectUnknownFields(Object value, String path, List<String> unknown) {
        switch (value) {
            case null -> {
            }
            case Collection<?> items -> {
                int i = 0;
                for (Object item : items) {
                    collectUnknownFields(item, path + "[" + i++ + "]", unknown);
                }
            }
            case Map<?, ?> entries ->
                entries.forEach((key, item) -> collectUnknownFields(item, path + "." + key, unknown));
            default -> {
                if (value.getClass().getPackageName().startsWith("io.fabric8.")) {
                    collectUnknownModelFields(value, path, unknown);
                }
            }
        }
    }

    // A test fails with an Asse rtionError.
    @SuppressWarnings("RethrowReflectiveOperationExceptionAsLinkageError")
    private static void collectUnknownModelFields(Object model, String path, List<String> unknown) {
        for (Method getter : model.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object field;
            try {
                field = getter.invoke(model);
            }
            catch (IllegalAccessException | InvocationTargetException e) {
                throw new AssertionError(path + ": cannot read " + getter.getName(), e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(path + " " + extra.keySet());
                }
            }
            else {
                String name = getter.getName().substring(3);
                collectUnknownFields(field, path + "." + Character.toLowerCase(name.charAt(0)) + name.substring(1),
                        unknown);
            }
        }
    }
}
