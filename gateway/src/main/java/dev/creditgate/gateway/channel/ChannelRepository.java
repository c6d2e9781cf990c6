package dev.creditgate.gateway.channel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

import dev.creditgate.gateway.secret.SecretBox;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The {@code channels} table; {@code api_key} is sealed by the {@link SecretBox} (opened when read). */
@Repository
public class ChannelRepository {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * A channel as the management API lists it: with its health columns.
     *
     * @param statusReason why the status last changed (an automatic disable names the failures), or empty
     * @param statusTime   when it changed (epoch seconds), 0 if never
     * @param testTime     when the channel was last tested by a probe (epoch seconds), 0 if never
     * @param responseTime how long that probe took (ms)
     */
    record Listed(Channel channel, String statusReason, long statusTime, long testTime, int responseTime) {}

    private final JdbcClient jdbc;
    private final SecretBox box;
    private final RowMapper<Channel> row;
    private final RowMapper<Listed> listed;

    ChannelRepository(JdbcClient jdbc, SecretBox box) {
        this.jdbc = jdbc;
        this.box = box;
        this.row = (rs, n) -> new Channel(
                rs.getLong("id"), rs.getString("type"), rs.getString("name"), rs.getString("base_url"),
                box.open(rs.getString("api_key"), SecretBox.CHANNEL_KEY), splitModels(rs.getString("models")),
                mapping(rs.getString("model_mapping")),
                rs.getLong("priority"), rs.getInt("weight"), rs.getInt("status"), rs.getLong("used_quota"),
                rs.getLong("created_time"), rs.getString("other"));
        this.listed = (rs, n) -> new Listed(row.mapRow(rs, n),
                rs.getString("status_reason"), rs.getLong("status_time"), rs.getLong("test_time"),
                rs.getInt("response_time"));
    }

    long insert(Channel c) {
        var keys = new GeneratedKeyHolder();
        jdbc.sql("""
                INSERT INTO channels (type, name, base_url, api_key, models, model_mapping, priority, weight, status,
                    used_quota, created_time, other)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)""")
                .params(c.type(), c.name(), c.baseUrl(), box.seal(c.apiKey(), SecretBox.CHANNEL_KEY),
                        String.join(",", c.models()), JSON.writeValueAsString(c.modelMapping()), c.priority(), c.weight(),
                        c.status(), c.createdTime(), c.other())
                .update(keys, "id");
        return keys.getKeyAs(Number.class).longValue();
    }

    public Optional<Channel> find(long id) {
        return jdbc.sql("SELECT * FROM channels WHERE id = ?").param(id).query(row).optional();
    }

    List<Channel> all() {
        return jdbc.sql("SELECT * FROM channels ORDER BY id").query(row).list();
    }

    List<Listed> page(int offset, int limit) {
        return jdbc.sql("SELECT * FROM channels ORDER BY id DESC LIMIT ? OFFSET ?").params(limit, offset)
                .query(listed).list();
    }

    Optional<Listed> findListed(long id) {
        return jdbc.sql("SELECT * FROM channels WHERE id = ?").param(id).query(listed).optional();
    }

    long count() {
        return jdbc.sql("SELECT COUNT(*) FROM channels").query(Long.class).single();
    }

    /** Column names come from a fixed set chosen by the controller, never from input. */
    int update(long id, Map<String, Object> columns) {
        if (columns.isEmpty()) {
            return find(id).isPresent() ? 1 : 0;
        }
        StringJoiner set = new StringJoiner(", ");
        List<Object> params = new ArrayList<>();
        columns.forEach((column, value) -> {
            set.add(column + " = ?");
            params.add("api_key".equals(column) ? box.seal((String) value, SecretBox.CHANNEL_KEY) : value);
        });
        params.add(id);
        return jdbc.sql("UPDATE channels SET " + set + " WHERE id = ?").params(params).update();
    }

    int delete(long id) {
        return jdbc.sql("DELETE FROM channels WHERE id = ?").param(id).update();
    }

    static List<String> splitModels(String csv) {
        List<String> out = new ArrayList<>();
        if (csv != null) {
            for (String m : csv.split(",")) {
                String t = m.trim();
                if (!t.isEmpty() && !out.contains(t)) {
                    out.add(t);
                }
            }
        }
        return List.copyOf(out);
    }

    static Map<String, String> mapping(String json) {
        if (json == null || json.isBlank()) {
            return Map.of();
        }
        try {
            Map<String, String> m = JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() {});
            return m == null ? Map.of() : Map.copyOf(m);
        } catch (RuntimeException e) {
            return Map.of();
        }
    }
}
