package dev.creditgate.gateway.token;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import dev.creditgate.gateway.web.ErrorCode;
import dev.creditgate.gateway.web.GatewayException;
import dev.creditgate.gateway.web.JsonBody;
import dev.creditgate.gateway.web.PageResult;
import dev.creditgate.gateway.web.Paging;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;

/** Token management: validation, key generation, the idempotent create the credit platform relies on. */
@Service
class TokenService {

    static final long MAX_QUOTA = 1_000_000_000_000_000L;
    private static final String KEY_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final int KEY_LENGTH = 48;
    private static final Set<String> SOURCES = Set.of(Token.SOURCE_NATIVE, Token.SOURCE_LETAICODE, Token.SOURCE_EXTERNAL);

    /**
     * The answer to a create: the token, its full key (without {@code sk-}; in memory only, for the creating answer),
     * and whether it already existed (idempotent replay of an imported key: the caller sent that key).
     */
    record Created(Token token, String key, boolean existed) {
        @Override
        public String toString() {
            return "Created[token=" + token + ", existed=" + existed + "]";
        }
    }

    private final TokenRepository tokens;
    private final TokenAuthenticator authenticator;
    private final JdbcClient jdbc;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    TokenService(TokenRepository tokens, TokenAuthenticator authenticator, JdbcClient jdbc, Clock clock) {
        this.tokens = tokens;
        this.authenticator = authenticator;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * Creates a token. Idempotent for the credit platform: when {@code key} and {@code remote_key_id} both equal
     * an existing token's, that token is returned; the same {@code (source, remote_key_id)} with another (or no)
     * key, or an imported key that already exists, is a 409.
     */
    Created create(JsonBody body) {
        String source = body.getString("source");
        source = source == null || source.isBlank() ? Token.SOURCE_NATIVE : source.trim();
        if (!SOURCES.contains(source)) {
            throw GatewayException.badRequest("source: \"" + source + "\" (expected: one of " + SOURCES + ")");
        }
        String remoteKeyId = emptyToNull(JsonBody.maxLength("remote_key_id", body.getString("remote_key_id"), 64));
        String key = importedKey(body.getString("key"));
        long userId = nonNegative("user_id", body.getLong("user_id"), 0);
        if (userId != 0 && jdbc.sql("SELECT COUNT(*) FROM users WHERE id = ?").param(userId).query(Long.class).single() == 0) {
            throw GatewayException.badRequest("user_id: " + userId + " (no such user; use 0 for a token without a user)");
        }
        long now = clock.instant().getEpochSecond();
        String fullKey = key == null ? newKey() : key;
        Token token = new Token(0, userId, TokenKeys.hash(fullKey), TokenKeys.mask(fullKey),
                name(body.getString("name")), Token.ENABLED, now, now,
                expiredTime(body.getLong("expired_time"), -1),
                remainQuota(body.getLong("remain_quota"), 0),
                Boolean.TRUE.equals(body.getBoolean("unlimited_quota")),
                0, 0,
                Boolean.TRUE.equals(body.getBoolean("model_limits_enabled")),
                modelLimits(body.raw("model_limits")),
                allowIps(body.getString("allow_ips")),
                group(body.getString("group")),
                source, remoteKeyId);

        Optional<Created> replay = replayOrConflict(token, key);
        if (replay.isPresent()) {
            return replay.get();
        }
        try {
            long id = tokens.insert(token);
            return new Created(tokens.find(id).orElseThrow(), fullKey, false);
        } catch (DuplicateKeyException raced) {
            // A concurrent create won: answer as if it had come first.
            return replayOrConflict(token, key).orElseThrow(() -> new GatewayException(ErrorCode.CONFLICT,
                    "a token with this key or remote_key_id already exists"));
        }
    }

    private Optional<Created> replayOrConflict(Token wanted, String importedKey) {
        if (wanted.remoteKeyId() != null) {
            Optional<Token> existing = tokens.findByRemoteKey(wanted.source(), wanted.remoteKeyId());
            if (existing.isPresent()) {
                if (importedKey != null && TokenKeys.sameHash(wanted.keyHash(), existing.get().keyHash())) {
                    return Optional.of(new Created(existing.get(), importedKey, true));
                }
                throw new GatewayException(ErrorCode.CONFLICT, "remote_key_id: \"" + wanted.remoteKeyId()
                        + "\" already belongs to token " + existing.get().id() + " of source " + wanted.source()
                        + " with another key");
            }
        }
        if (importedKey != null && tokens.findByHash(wanted.keyHash()).isPresent()) {
            throw new GatewayException(ErrorCode.CONFLICT, "key: this key already exists");
        }
        return Optional.empty();
    }

    Token get(long id) {
        return tokens.find(id).orElseThrow(() -> GatewayException.notFound("token " + id + " not found"));
    }

    PageResult<TokenView> list(String source, String remoteKeyId, Long userId, Paging paging) {
        var filter = new TokenRepository.Filter(emptyToNull(source), emptyToNull(remoteKeyId), userId);
        List<TokenView> items = tokens.list(filter, paging.offset(), paging.pageSize()).stream()
                .map(TokenView::masked).collect(Collectors.toList());
        return new PageResult<>(items, tokens.count(filter), paging.page(), paging.pageSize());
    }

    /** Changes only the fields present in the body ({@code statusOnly}: only {@code status}). */
    Token update(JsonBody body, boolean statusOnly) {
        long id = body.requireLong("id");
        Token current = get(id);
        Map<String, Object> set = new LinkedHashMap<>();
        Integer status = body.getInt("status");
        if (status != null) {
            int max = statusOnly ? Token.DISABLED : Token.EXHAUSTED;
            JsonBody.range("status", status, Token.ENABLED, max);
            set.put("status", status);
        } else if (statusOnly) {
            throw GatewayException.badRequest("status: missing (expected: 1 enabled or 2 disabled)");
        }
        if (!statusOnly) {
            if (body.has("name")) {
                set.put("name", name(body.getString("name")));
            }
            if (body.has("expired_time")) {
                set.put("expired_time", expiredTime(body.getLong("expired_time"), -1));
            }
            if (body.has("remain_quota")) {
                set.put("remain_quota", remainQuota(body.getLong("remain_quota"), 0));
            }
            if (body.has("unlimited_quota")) {
                set.put("unlimited_quota", body.getBoolean("unlimited_quota"));
            }
            if (body.has("model_limits_enabled")) {
                set.put("model_limits_enabled", body.getBoolean("model_limits_enabled"));
            }
            if (body.node().has("model_limits")) {
                set.put("model_limits", modelLimits(body.raw("model_limits")));
            }
            if (body.node().has("allow_ips")) {
                set.put("allow_ips", allowIps(body.getString("allow_ips")));
            }
            if (body.node().has("group")) {
                set.put("group_name", group(body.getString("group")));
            }
        }
        if (Integer.valueOf(Token.ENABLED).equals(status)) {
            long expired = (long) set.getOrDefault("expired_time", current.expiredTime());
            if (expired != -1 && expired < clock.instant().getEpochSecond()) {
                throw GatewayException.badRequest("status: 1 (token " + id + " has expired; change expired_time first)");
            }
        }
        if (tokens.update(id, set) == 0) {
            throw GatewayException.notFound("token " + id + " not found");
        }
        authenticator.invalidate(current.keyHash());
        return get(id);
    }

    void delete(long id) {
        Token current = get(id);
        if (tokens.delete(id) == 0) {
            throw GatewayException.notFound("token " + id + " not found");
        }
        authenticator.invalidate(current.keyHash());
    }

    private String newKey() {
        char[] chars = new char[KEY_LENGTH];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = KEY_ALPHABET.charAt(random.nextInt(KEY_ALPHABET.length()));
        }
        return new String(chars);
    }

    private static String importedKey(String key) {
        if (key == null || key.isBlank()) {
            return null;
        }
        String k = key.trim();
        if (k.startsWith("sk-")) {
            k = k.substring(3);
        }
        if (!k.matches("[A-Za-z0-9_\\-]{16,64}")) {
            throw GatewayException.badRequest("key: " + k.length()
                    + " characters (expected: 16..64 letters, digits, '-' or '_', with or without 'sk-')");
        }
        return k;
    }

    private static String name(String name) {
        return name == null ? "" : JsonBody.maxLength("name", name.trim(), 128);
    }

    private static String group(String group) {
        return group == null ? "" : JsonBody.maxLength("group", group.trim(), 64);
    }

    private static long expiredTime(Long v, long dflt) {
        if (v == null) {
            return dflt;
        }
        if (v != -1 && v <= 0) {
            throw GatewayException.badRequest("expired_time: " + v + " (expected: -1 for never, or unix seconds)");
        }
        return v;
    }

    private static long remainQuota(Long v, long dflt) {
        return v == null ? dflt : JsonBody.range("remain_quota", v, -1, MAX_QUOTA);
    }

    private static long nonNegative(String field, Long v, long dflt) {
        return v == null ? dflt : JsonBody.range(field, v, 0, Long.MAX_VALUE);
    }

    private static String modelLimits(JsonNode v) {
        if (v == null || v.isNull()) {
            return "";
        }
        if (v.isString()) {
            return String.join(",", TokenAuthenticator.parseModels(v.asString()));
        }
        if (v.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode m : v) {
                if (!m.isString()) {
                    throw GatewayException.badRequest("model_limits: " + m + " (expected: model names)");
                }
                if (!m.asString().isBlank()) {
                    sb.append(sb.isEmpty() ? "" : ",").append(m.asString().trim());
                }
            }
            return sb.toString();
        }
        throw GatewayException.badRequest("model_limits: " + v + " (expected: \"a,b\" or [\"a\",\"b\"])");
    }

    private static String allowIps(String v) {
        if (v == null) {
            return "";
        }
        try {
            IpAllowList.parse(v);
        } catch (IllegalArgumentException e) {
            throw GatewayException.badRequest(e.getMessage());
        }
        return v.trim();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
