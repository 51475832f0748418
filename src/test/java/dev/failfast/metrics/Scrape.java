package dev.failfast.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One read of {@code /actuator/prometheus}, parsed from the text exposition format.
 *
 * @param samples every sample line, in order
 */
record Scrape(List<Sample> samples) {

    private static final Pattern LINE = Pattern
        .compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\S+)?$");

    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    /** One series' value. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    static Scrape of(ApiClient client) {
        ApiClient.Response response = client.get("/actuator/prometheus");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return parse(response.body());
    }

    static Scrape parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw new IllegalArgumentException("Not a sample line: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher label = LABEL.matcher(m.group(2));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
            }
            samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
        return new Scrape(List.copyOf(samples));
    }

    /**
     * The sum over every series of {@code name} whose labels include {@code labels}
     * (name, value, …); 0 if none.
     */
    double value(String name, String... labels) {
        return matching(name, labels).stream().mapToDouble(Sample::value).sum();
    }

    /**
     * The series of {@code name} whose labels include {@code labels} (name, value, …).
     */
    List<Sample> matching(String name, String... labels) {
        Map<String, String> wanted = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        return samples.stream()
            .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(wanted.entrySet()))
            .toList();
    }

    /** How much {@code name} (with {@code labels}) grew since {@code before}. */
    double delta(Scrape before, String name, String... labels) {
        return value(name, labels) - before.value(name, labels);
    }
}
