package dev.creditgate.testkit;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * How the mock treats a request's output limit ({@code max_completion_tokens}/{@code max_tokens} for chat,
 * {@code max_output_tokens} for Responses, {@code max_tokens} for Anthropic messages). Off by default: the limit
 * only caps the reply's chunks. On ({@code answerAtLimit}, or {@code exceedBy > 0}): every chat / responses /
 * messages answer writes {@code limit + exceedBy} output tokens, {@code limit} being the request's, or
 * {@code defaultLimit} when the request names none (a model writing until its own maximum); usage reports exactly
 * that many completion/output tokens and the reply ends as truncated ({@code length} / {@code max_tokens} /
 * {@code incomplete}).
 *
 * <p>The text is the word {@value #WORD} once per token ({@code "word word word ..."}, one token each for the
 * GPT tokenizers), {@code tokensPerChunk} tokens per content chunk. The chunk list is computed on access, so a
 * reply of a million tokens costs no memory until it is written.
 *
 * @param answerAtLimit  answer with exactly the output limit
 * @param defaultLimit   the limit when the request names none (>= 1)
 * @param exceedBy       tokens written beyond the limit: an upstream that ignores it (>= 0; > 0 implies the mode)
 * @param tokensPerChunk output tokens per content chunk (>= 1)
 */
record OutputLimit(boolean answerAtLimit, long defaultLimit, long exceedBy, int tokensPerChunk) {

    static final OutputLimit DEFAULTS = new OutputLimit(false, 4096, 0, 1);
    /** Most output tokens one answer writes in this mode; a larger limit is refused with 400, like a real model. */
    static final long MAX_TOKENS = 1_000_000;
    static final String WORD = "word";

    OutputLimit {
        if (defaultLimit < 1 || defaultLimit > MAX_TOKENS) {
            throw new IllegalArgumentException("defaultOutputLimit: " + defaultLimit + " (expected: 1.." + MAX_TOKENS + ")");
        }
        if (exceedBy < 0 || exceedBy > MAX_TOKENS) {
            throw new IllegalArgumentException("exceedOutputLimit: " + exceedBy + " (expected: 0.." + MAX_TOKENS + ")");
        }
        if (tokensPerChunk < 1) {
            throw new IllegalArgumentException("outputTokensPerChunk: " + tokensPerChunk + " (expected: >= 1)");
        }
    }

    boolean on() {
        return answerAtLimit || exceedBy > 0;
    }

    /** Output tokens to write for a request whose limit is {@code requestLimit} (< 1: none); -1 when off. */
    long tokensFor(long requestLimit) {
        if (!on()) {
            return -1;
        }
        return (requestLimit >= 1 ? requestLimit : defaultLimit) + exceedBy;
    }

    OutputLimit withAnswerAtLimit(boolean on) {
        return new OutputLimit(on, defaultLimit, exceedBy, tokensPerChunk);
    }

    OutputLimit withDefaultLimit(long tokens) {
        return new OutputLimit(answerAtLimit, tokens, exceedBy, tokensPerChunk);
    }

    OutputLimit withExceedBy(long tokens) {
        return new OutputLimit(answerAtLimit, defaultLimit, tokens, tokensPerChunk);
    }

    OutputLimit withTokensPerChunk(int tokens) {
        return new OutputLimit(answerAtLimit, defaultLimit, exceedBy, tokens);
    }

    /** {@code tokens} words, {@code tokensPerChunk} per chunk (the last one may carry fewer). */
    List<String> chunks(long tokens) {
        return new Chunks(tokens, tokensPerChunk);
    }

    private static final class Chunks extends AbstractList<String> implements RandomAccess {
        private final int size;
        private final String first;
        private final String full;
        private final String last;

        Chunks(long tokens, int perChunk) {
            long count = (tokens + perChunk - 1) / perChunk;
            this.size = (int) count;
            String more = " " + WORD;
            int inFirst = (int) Math.min(tokens, perChunk);
            this.first = WORD + more.repeat(inFirst - 1);
            this.full = more.repeat(perChunk);
            this.last = more.repeat((int) (tokens - (count - 1) * perChunk));
        }

        @Override
        public String get(int index) {
            if (index < 0 || index >= size) {
                throw new IndexOutOfBoundsException(index);
            }
            return index == 0 ? first : index == size - 1 ? last : full;
        }

        @Override
        public int size() {
            return size;
        }
    }
}
