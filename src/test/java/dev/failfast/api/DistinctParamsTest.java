package dev.failfast.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Equal params are shared, whatever the order of their keys (as {@code ObjectNode}
 * equality has it); params whose hash codes collide stay apart.
 */
class DistinctParamsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final DistinctParams distinct = new DistinctParams();

    @Test
    void equalParamsShareOneInstanceWhateverTheirKeyOrder() {
        ObjectNode first = parse("{\"url\": \"https://a.example\", \"headers\": {\"x\": 1, \"y\": [true, null]}}");
        ObjectNode reordered = parse("{\"headers\": {\"y\": [true, null], \"x\": 1}, \"url\": \"https://a.example\"}");
        assertThat(reordered).isEqualTo(first);

        assertThat(distinct.share(first)).isSameAs(first);
        assertThat(distinct.share(reordered)).isSameAs(first);
        assertThat(distinct.share(parse("{}"))).isSameAs(distinct.share(parse("{}")));
    }

    @Test
    void paramsWhoseHashCodesCollideStayApart() {
        ObjectNode aa = parse("{\"k\": \"AaAa\"}");
        ObjectNode bb = parse("{\"k\": \"BBBB\"}");
        assertThat(aa.hashCode()).isEqualTo(bb.hashCode());

        assertThat(distinct.share(aa)).isSameAs(aa);
        assertThat(distinct.share(bb)).isSameAs(bb);
        assertThat(distinct.share(parse("{\"k\": \"BBBB\"}"))).isSameAs(bb);
    }

    @Test
    void paramsThatDifferOnlyInTypeOrNestingStayApart() {
        ObjectNode number = parse("{\"k\": 1}");
        ObjectNode decimal = parse("{\"k\": 1.0}");
        ObjectNode text = parse("{\"k\": \"1\"}");
        ObjectNode nested = parse("{\"k\": [1]}");
        ObjectNode split = parse("{\"ab\": \"c\"}");
        ObjectNode joined = parse("{\"a\": \"bc\"}");

        for (ObjectNode params : new ObjectNode[] { number, decimal, text, nested, split, joined }) {
            assertThat(distinct.share(params)).isSameAs(params);
        }
        assertThat(distinct.share(parse("{\"k\": 1.0}"))).isSameAs(decimal);
    }

    private static ObjectNode parse(String json) {
        return (ObjectNode) JSON.readTree(json);
    }

}
