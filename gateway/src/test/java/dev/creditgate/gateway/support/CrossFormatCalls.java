package dev.creditgate.gateway.support;

import java.util.List;
import java.util.Map;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.openai.client.OpenAIClient;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;

/**
 * Calls made with the official SDKs for the cross-format tests: the Anthropic SDK on {@code /v1/messages} and the
 * OpenAI SDK on {@code /v1/chat/completions}, stream (accumulated by the SDK's own accumulator) or not, with and
 * without a tool ({@value #TOOL}, one string argument {@code city}) and its round trip (call, result, answer).
 */
public final class CrossFormatCalls {

    public static final String TOOL = "get_weather";
    public static final String ARGUMENTS = "{\"city\":\"Paris\"}";
    public static final String RESULT = "18 degrees and sunny";

    private CrossFormatCalls() {
    }

    /** One Anthropic turn; with {@code withTool} the tool is offered. */
    public static Message messages(AnthropicClient client, String model, boolean stream, boolean withTool) {
        MessageCreateParams.Builder b = MessageCreateParams.builder().model(model).maxTokens(1024)
                .system("You are a careful assistant.").addUserMessage("What is the weather in Paris?");
        if (withTool) {
            b.addTool(anthropicTool());
        }
        return send(client, b.build(), stream);
    }

    /** The Anthropic round trip: the first answer (a tool call), then the answer to the tool's result. */
    public static List<Message> messagesToolRoundTrip(AnthropicClient client, String model, boolean stream) {
        Message first = messages(client, model, stream, true);
        String id = first.content().stream().filter(c -> c.isToolUse()).findFirst()
                .orElseThrow(() -> new AssertionError("no tool_use block in " + first.content())).asToolUse().id();
        MessageCreateParams second = MessageCreateParams.builder().model(model).maxTokens(1024)
                .system("You are a careful assistant.").addUserMessage("What is the weather in Paris?")
                .addTool(anthropicTool())
                .addMessage(first)
                .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolResult(
                        ToolResultBlockParam.builder().toolUseId(id).content(RESULT).build())))
                .build();
        return List.of(first, send(client, second, stream));
    }

    private static Tool anthropicTool() {
        return Tool.builder().name(TOOL).description("The weather in a city")
                .inputSchema(Tool.InputSchema.builder()
                        .properties(JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                        .build())
                .build();
    }

    private static Message send(AnthropicClient client, MessageCreateParams params, boolean stream) {
        if (!stream) {
            return client.messages().create(params);
        }
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> events = client.messages().createStreaming(params)) {
            events.stream().forEach(accumulator::accumulate);
        }
        return accumulator.message();
    }

    /** One chat turn; a stream asks for its usage chunk; with {@code withTool} the function is offered. */
    public static ChatCompletion chat(OpenAIClient client, String model, boolean stream, boolean withTool) {
        ChatCompletionCreateParams.Builder b = ChatCompletionCreateParams.builder().model(model)
                .addSystemMessage("You are a careful assistant.").addUserMessage("What is the weather in Paris?");
        if (withTool) {
            b.addFunctionTool(openAiFunction());
        }
        return send(client, b, stream);
    }

    /** The OpenAI round trip: the first answer (a tool call), then the answer to the tool's result. */
    public static List<ChatCompletion> chatToolRoundTrip(OpenAIClient client, String model, boolean stream) {
        ChatCompletion first = chat(client, model, stream, true);
        var message = first.choices().getFirst().message();
        String id = message.toolCalls().orElseThrow(() -> new AssertionError("no tool_calls in " + message))
                .getFirst().asFunction().id();
        ChatCompletionCreateParams.Builder b = ChatCompletionCreateParams.builder().model(model)
                .addSystemMessage("You are a careful assistant.").addUserMessage("What is the weather in Paris?")
                .addFunctionTool(openAiFunction())
                .addMessage(message)
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(id).content(RESULT).build());
        return List.of(first, send(client, b, stream));
    }

    private static FunctionDefinition openAiFunction() {
        return FunctionDefinition.builder().name(TOOL).description("The weather in a city")
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", com.openai.core.JsonValue.from("object"))
                        .putAdditionalProperty("properties", com.openai.core.JsonValue.from(
                                Map.of("city", Map.of("type", "string"))))
                        .putAdditionalProperty("required", com.openai.core.JsonValue.from(List.of("city")))
                        .build())
                .build();
    }

    private static ChatCompletion send(OpenAIClient client, ChatCompletionCreateParams.Builder b, boolean stream) {
        if (!stream) {
            return client.chat().completions().create(b.build());
        }
        b.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build());
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (var events = client.chat().completions().createStreaming(b.build())) {
            events.stream().forEach(accumulator::accumulate);
        }
        return accumulator.chatCompletion();
    }
}
