package dev.creditgate.gateway.admission;

/** The relay endpoints, as admission and pricing see them. */
public enum EndpointKind {
    /** {@code POST /v1/chat/completions} */
    CHAT_COMPLETIONS,
    /** {@code POST /v1/embeddings} */
    EMBEDDINGS,
    /** {@code POST /v1/responses} */
    RESPONSES,
    /** {@code POST /v1/messages} (Anthropic) */
    MESSAGES,
    /** {@code POST /v1beta/models/{model}:generateContent} and {@code :streamGenerateContent} (Google Gemini) */
    GEMINI
}
