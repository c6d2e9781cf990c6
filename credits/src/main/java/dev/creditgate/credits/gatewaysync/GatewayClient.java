package dev.creditgate.credits.gatewaysync;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

import dev.creditgate.credits.CreditsProperties;

/**
 * The gateway's token management API (new-api compatible), as the credit platform uses it:
 * {@code POST /api/token/} (create, idempotent for the same key + remote_key_id), {@code GET /api/token/?source=
 * letaicode&remote_key_id=} (find), {@code PUT /api/token/ {id, status}} (1 enabled, 2 disabled),
 * {@code DELETE /api/token/:id}; and the cost log for reconciliation, {@code GET /api/log/costs}. Bearer auth with {@code credits.gateway.admin-token}; deadline
 * {@code credits.gateway.timeout} per call. The token is never logged.
 */
@Component
public class GatewayClient implements GatewayCostLog {

    private final CreditsProperties.Gateway props;
    private final HttpClient http;
    // decimals exact (cost_usd may come as a JSON number): never through double
    private final JsonMapper json = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    public GatewayClient(CreditsProperties props) {
        this.props = props.gateway();
        this.http = HttpClient.newBuilder().connectTimeout(this.props.timeout()).version(HttpClient.Version.HTTP_1_1).build();
    }

    @Override
    public boolean configured() {
        return props.url() != null && props.adminToken() != null && !props.adminToken().isBlank();
    }

    /** Creates a {@code letaicode} token with the given key value (without {@code sk-}); the gateway's token id. */
    public long createToken(String name, String key, String remoteKeyId) throws GatewayException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("key", key);
        body.put("source", "letaicode");
        body.put("remote_key_id", remoteKeyId);
        body.put("unlimited_quota", true);
        body.put("remain_quota", -1);
        body.put("user_id", 0);
        body.put("group", "letaicode");
        JsonNode data = call("POST", "/api/token/", body).get("data");
        if (data == null || !data.has("id") || !data.get("id").canConvertToLong()) {
            throw new GatewayException("gateway answer lacks data.id", false);
        }
        return data.get("id").longValue();
    }

    /**
     * The id of the {@code letaicode} token whose remote_key_id is this key id, if the gateway has one. Only an exact
     * match counts: a gateway that ignores the filter and lists other tokens (or tokens without remote_key_id) must
     * not make the compensation of a failed creation delete an unrelated token.
     */
    public Optional<Long> findByRemoteKeyId(String remoteKeyId) throws GatewayException {
        JsonNode data = call("GET", "/api/token/?source=letaicode&remote_key_id="
                + URLEncoder.encode(remoteKeyId, StandardCharsets.UTF_8), null).get("data");
        JsonNode items = data == null ? null : data.isArray() ? data : data.has("items") ? data.get("items") : data.get("data");
        if (items == null || !items.isArray()) {
            return Optional.empty();
        }
        for (JsonNode t : items) {
            JsonNode rk = t.get("remote_key_id");
            if (rk != null && rk.isString() && remoteKeyId.equals(rk.asString()) && t.has("id")
                    && t.get("id").canConvertToLong()) {
                return Optional.of(t.get("id").longValue());
            }
        }
        return Optional.empty();
    }

    /** Enables (status 1) or disables (status 2) a token. */
    public void setStatus(long tokenId, boolean enabled) throws GatewayException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", tokenId);
        body.put("status", enabled ? 1 : 2);
        call("PUT", "/api/token/", body);
    }

    /** Deletes a token; a token the gateway does not know counts as deleted. */
    public void deleteToken(long tokenId) throws GatewayException {
        try {
            call("DELETE", "/api/token/" + tokenId, null);
        } catch (GatewayException e) {
            if (!e.getMessage().contains("HTTP 404")) {
                throw e;
            }
        }
    }

    /**
     * {@code GET /api/log/costs?start_timestamp=&end_timestamp=&p=&page_size=}. Answer: {@code {"success":true,
     * "data":{"items":[{"request_id","token_id","cost_usd":"0.000123","created_at"}],"total":n}}}; a row that does
     * not read so is a {@link GatewayException} naming it.
     */
    @Override
    public CostPage costs(long start, long end, int page, int pageSize) throws GatewayException {
        String path = "/api/log/costs?start_timestamp=" + start + "&end_timestamp=" + end + "&p=" + page
                + "&page_size=" + pageSize;
        JsonNode data = call("GET", path, null).get("data");
        JsonNode items = data == null ? null : data.get("items");
        JsonNode total = data == null ? null : data.get("total");
        if (items == null || !items.isArray() || total == null || !total.isIntegralNumber()) {
            throw new GatewayException("gateway GET /api/log/costs: answer lacks data.items or data.total", false);
        }
        List<CostRow> rows = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            JsonNode r = items.get(i);
            JsonNode requestId = r.get("request_id");
            JsonNode tokenId = r.get("token_id");
            JsonNode createdAt = r.get("created_at");
            BigDecimal cost = decimal(r.get("cost_usd"));
            if (requestId == null || !requestId.isString() || requestId.stringValue().isEmpty()
                    || tokenId == null || !tokenId.isIntegralNumber() || !tokenId.canConvertToLong()
                    || createdAt == null || !createdAt.isIntegralNumber() || cost == null || cost.signum() < 0) {
                throw new GatewayException("gateway GET /api/log/costs: items[" + i + "] (page " + page + ") is not "
                        + "{request_id, token_id, cost_usd >= 0, created_at}: " + abbreviate(r.toString()), false);
            }
            rows.add(new CostRow(requestId.stringValue(), tokenId.longValue(), cost, createdAt.longValue()));
        }
        return new CostPage(List.copyOf(rows), total.longValue());
    }

    /** An exact decimal from a JSON string or number; null when it is neither or does not parse. */
    private static BigDecimal decimal(JsonNode v) {
        if (v == null) {
            return null;
        }
        if (v.isNumber()) {
            return v.decimalValue();
        }
        if (v.isString()) {
            try {
                return new BigDecimal(v.stringValue().strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private JsonNode call(String method, String path, Object body) throws GatewayException {
        if (!configured()) {
            throw new GatewayException("gateway not configured (credits.gateway.url, credits.gateway.admin-token)", true);
        }
        String base = props.url().toString().replaceAll("/+$", "");
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(props.timeout())
                .header("Authorization", "Bearer " + props.adminToken())
                .header("Accept", "application/json");
        if (body != null) {
            req.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        } else {
            req.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<byte[]> res;
        try {
            try {
                res = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (HttpTimeoutException e) {
                throw e;
            } catch (IOException e) {
                // e.g. a pooled keep-alive connection the gateway had closed: every call here is idempotent
                // (create is idempotent for the same key + remote_key_id), so one immediate retry is safe
                res = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            }
        } catch (HttpTimeoutException e) {
            throw new GatewayException("gateway " + method + " " + stripQuery(path) + " timed out after "
                    + props.timeout().toMillis() + " ms", false);
        } catch (IOException e) {
            throw new GatewayException("gateway " + method + " " + stripQuery(path) + " failed: " + e.getClass().getSimpleName(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException("interrupted", false);
        }
        int status = res.statusCode();
        JsonNode answer = null;
        try {
            answer = json.readTree(res.body());
        } catch (JacksonException ignored) {
            // handled below
        }
        String message = answer != null && answer.has("message") ? abbreviate(answer.get("message").asString()) : "";
        if (status >= 400 && status < 500) {
            throw new GatewayException("gateway " + method + " " + stripQuery(path) + ": HTTP " + status + " " + message, true);
        }
        if (status >= 300 || answer == null || !answer.isObject()) {
            throw new GatewayException("gateway " + method + " " + stripQuery(path) + ": HTTP " + status
                    + (answer == null ? " (unreadable answer)" : " " + message), false);
        }
        JsonNode success = answer.get("success");
        if (success != null && success.isBoolean() && !success.booleanValue()) {
            // new-api answers 200 {success:false} for refusals it has checked
            throw new GatewayException("gateway " + method + " " + stripQuery(path) + " refused: " + message, true);
        }
        return answer;
    }

    private static String stripQuery(String path) {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    Duration timeout() {
        return props.timeout();
    }
}
