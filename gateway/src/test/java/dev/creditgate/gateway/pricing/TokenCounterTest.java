package dev.creditgate.gateway.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Token counts against published tiktoken counts: "hello world" (tiktoken README), OpenAI cookbook
 * "How to count tokens with tiktoken" (strings of section 5 and the 129-token chat example of section 6).
 */
class TokenCounterTest {

    private static final TokenCounter COUNTER = TokenCounter.shared();
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private static JsonNode json(String text) {
        return MAPPER.readTree(text);
    }

    @Test
    void countsKnownTiktokenStrings() {
        assertThat(COUNTER.countText("gpt-4", "hello world")).isEqualTo(2);
        assertThat(COUNTER.countText("gpt-4", "tiktoken is great!")).isEqualTo(6);          // [83, 1609, 5963, 374, 2294, 0]
        assertThat(COUNTER.countText("gpt-4", "antidisestablishmentarianism")).isEqualTo(6); // cl100k_base
        assertThat(COUNTER.countText("gpt-3.5-turbo", "2 + 2 = 4")).isEqualTo(7);
        assertThat(COUNTER.countText("gpt-4", "お誕生日おめでとう")).isEqualTo(9);
        // o200k_base: [976, 4853, 19705, 68347, 65613, 1072, 290, 29082, 6446, 13]
        assertThat(COUNTER.countText("gpt-4o", "The quick brown fox jumps over the lazy dog.")).isEqualTo(10);
        assertThat(COUNTER.countText("gpt-4o", "")).isZero();
        assertThat(COUNTER.countText("gpt-4o", null)).isZero();
        // special-token text is counted as ordinary text, never rejected
        assertThat(COUNTER.countText("gpt-4o", "<|endoftext|>")).isGreaterThan(1);
    }

    @Test
    void picksO200kForNewOpenAiFamiliesAndCl100kOtherwise() {
        for (String model : List.of("gpt-4o", "gpt-4o-mini-2024-07-18", "chatgpt-4o-latest", "gpt-4.1-nano", "gpt-4.5-preview",
                "gpt-5", "o1", "o3-mini", "o4-mini", "openai/gpt-4o")) {
            assertThat(TokenCounter.encodingName(model)).as(model).isEqualTo("o200k_base");
        }
        for (String model : List.of("gpt-4", "gpt-4-turbo", "gpt-3.5-turbo", "text-embedding-3-small",
                "claude-sonnet-4-5-20250929", "deepseek-chat", "")) {
            assertThat(TokenCounter.encodingName(model)).as(model).isEqualTo("cl100k_base");
        }
        assertThat(TokenCounter.encodingName(null)).isEqualTo("cl100k_base");
    }

    private static final String COOKBOOK_MESSAGES = """
            {"model":"gpt-4","messages":[
             {"role":"system","content":"You are a helpful, pattern-following assistant that translates corporate jargon into plain English."},
             {"role":"system","name":"example_user","content":"New synergies will help drive top-line growth."},
             {"role":"system","name":"example_assistant","content":"Things working well together will increase revenue."},
             {"role":"system","name":"example_user","content":"Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."},
             {"role":"system","name":"example_assistant","content":"Let's talk later when we're less busy about how to do better."},
             {"role":"user","content":"This late pivot means we don't have time to boil the ocean for the client deliverable."}]}
            """;

    @Test
    void chatPromptMatchesTheCookbookAndTheOpenAiApi() {
        // 129 prompt tokens, counted by num_tokens_from_messages() and by the OpenAI API for gpt-4-0613
        assertThat(COUNTER.countChatCompletion("gpt-4", json(COOKBOOK_MESSAGES))).isEqualTo(129);
        assertThat(COUNTER.countChatCompletion("gpt-4-0613", json(COOKBOOK_MESSAGES))).isEqualTo(129);
    }

    @Test
    void chatCountsOverheadsPartsToolsAndToolCalls() {
        // one message: 3 + "user"(1) + "hello world"(2), reply priming 3
        assertThat(COUNTER.countChatCompletion("gpt-4o", json("{\"messages\":[{\"role\":\"user\",\"content\":\"hello world\"}]}")))
                .isEqualTo(3 + 1 + 2 + 3);
        // text parts count their text; a low-detail image 85, any other image 765
        assertThat(COUNTER.countChatCompletion("gpt-4o", json("""
                {"messages":[{"role":"user","content":[{"type":"text","text":"hello world"},
                  {"type":"image_url","image_url":{"url":"https://x/y.png","detail":"low"}},
                  {"type":"image_url","image_url":{"url":"https://x/z.png"}}]}]}""")))
                .isEqualTo(3 + 1 + 2 + 85 + 765 + 3);
        // a tool: 8 + name + description + compact JSON of the parameters
        String params = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}";
        int toolTokens = 8 + COUNTER.countText("gpt-4o", "get_weather") + COUNTER.countText("gpt-4o", "Weather of a city")
                + COUNTER.countText("gpt-4o", params);
        JsonNode withTool = json("{\"messages\":[{\"role\":\"user\",\"content\":\"hello world\"}],\"tools\":[{\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"description\":\"Weather of a city\",\"parameters\":" + params + "}}]}");
        assertThat(COUNTER.countChatCompletion("gpt-4o", withTool)).isEqualTo(9 + toolTokens);
        // an assistant tool call counts its function name and arguments; null content counts nothing
        JsonNode toolCall = json("""
                {"messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function",
                  "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]}]}""");
        assertThat(COUNTER.countChatCompletion("gpt-4o", toolCall)).isEqualTo(3 + COUNTER.countText("gpt-4o", "assistant")
                + COUNTER.countText("gpt-4o", "get_weather") + COUNTER.countText("gpt-4o", "{\"city\":\"Paris\"}") + 3);
        assertThat(COUNTER.countChatCompletion("gpt-4o", json("{}"))).isEqualTo(3);
        assertThat(COUNTER.countChatCompletion("gpt-4o", null)).isZero();
    }

    @Test
    void embeddingsCountStringsArraysAndPreTokenisedInput() {
        assertThat(COUNTER.countEmbeddingInput("text-embedding-3-small", json("{\"input\":\"hello world\"}"))).isEqualTo(2);
        assertThat(COUNTER.countEmbeddingInput("text-embedding-3-small",
                json("{\"input\":[\"hello world\",\"tiktoken is great!\"]}"))).isEqualTo(8);
        assertThat(COUNTER.countEmbeddingInput("text-embedding-3-small", json("{\"input\":[15339,1917]}"))).isEqualTo(2);
        assertThat(COUNTER.countEmbeddingInput("text-embedding-3-small", json("{\"input\":[[1,2,3],[4,5]]}"))).isEqualTo(5);
        assertThat(COUNTER.countEmbeddingInput("text-embedding-3-small", json("{}"))).isZero();
    }

    @Test
    void responsesInputCountsStringsItemsInstructionsAndTools() {
        // a string input is one user message: 3 + "user"(1) + 2, reply priming 3
        assertThat(COUNTER.countResponsesInput("gpt-4.1", json("{\"input\":\"hello world\"}"))).isEqualTo(9);
        // instructions: 3 + text
        assertThat(COUNTER.countResponsesInput("gpt-4.1", json("{\"instructions\":\"tiktoken is great!\",\"input\":\"hello world\"}")))
                .isEqualTo(9 + 3 + COUNTER.countText("gpt-4.1", "tiktoken is great!"));
        JsonNode items = json("""
                {"input":[{"role":"user","content":[{"type":"input_text","text":"hello world"}]},
                  {"type":"function_call","call_id":"c1","name":"get_weather","arguments":"{}"},
                  {"type":"function_call_output","call_id":"c1","output":"sunny"}],
                 "tools":[{"type":"function","name":"get_weather","description":"Weather","parameters":{"type":"object"}}]}""");
        int expected = 3 + 1 + 2
                + COUNTER.countText("gpt-4.1", "get_weather") + COUNTER.countText("gpt-4.1", "{}")
                + COUNTER.countText("gpt-4.1", "sunny")
                + 3
                + 8 + COUNTER.countText("gpt-4.1", "get_weather") + COUNTER.countText("gpt-4.1", "Weather")
                + COUNTER.countText("gpt-4.1", "{\"type\":\"object\"}");
        assertThat(COUNTER.countResponsesInput("gpt-4.1", items)).isEqualTo(expected);
    }

    @Test
    void anthropicMessagesCountSystemMessagesAndToolsWithoutOverhead() {
        JsonNode body = json("""
                {"model":"claude-sonnet-4-5-20250929","max_tokens":1024,
                 "system":[{"type":"text","text":"hello world"}],
                 "messages":[{"role":"user","content":"tiktoken is great!"},
                   {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"get_weather","input":{"city":"Paris"}}]},
                   {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"sunny"},
                                             {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]}],
                 "tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object"}}]}""");
        String model = "claude-sonnet-4-5-20250929";
        int expected = 2 + 6
                + COUNTER.countText(model, "get_weather") + COUNTER.countText(model, "{\"city\":\"Paris\"}")
                + COUNTER.countText(model, "sunny") + TokenCounter.ANTHROPIC_IMAGE_TOKENS
                + COUNTER.countText(model, "get_weather") + COUNTER.countText(model, "Weather")
                + COUNTER.countText(model, "{\"type\":\"object\"}");
        assertThat(COUNTER.countAnthropicMessages(model, body)).isEqualTo(expected);
        assertThat(COUNTER.countAnthropicMessages(model, json("{\"system\":\"hello world\",\"messages\":[]}"))).isEqualTo(2);
    }

    @Test
    void isThreadSafeAndFastEnoughForTheRequestPath() {
        JsonNode body = json(COOKBOOK_MESSAGES);
        int[] counts = IntStream.range(0, 2_000).parallel()
                .map(i -> COUNTER.countChatCompletion(i % 2 == 0 ? "gpt-4" : "gpt-4o", body)).toArray();
        int expectedO200k = COUNTER.countChatCompletion("gpt-4o", body);
        for (int i = 0; i < counts.length; i++) {
            assertThat(counts[i]).isEqualTo(i % 2 == 0 ? 129 : expectedO200k);
        }
        // rough timing for the log, no assertion on time: a ~2 KB chat body
        JsonNode big = json("{\"messages\":[{\"role\":\"user\",\"content\":" + MAPPER.writeValueAsString(
                "Let's circle back when we have more bandwidth to touch base on opportunities. ".repeat(25)) + "}]}");
        int rounds = 2_000;
        long sink = 0;
        long start = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            sink += COUNTER.countChatCompletion("gpt-4o", big);
        }
        long micros = (System.nanoTime() - start) / 1_000 / rounds;
        System.out.println("TokenCounter: ~2 KB chat body counted in about " + micros + " us per request (" + sink / rounds + " tokens)");
        assertThat(sink).isPositive();
    }
}
