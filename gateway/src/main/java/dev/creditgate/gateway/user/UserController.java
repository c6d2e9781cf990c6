package dev.creditgate.gateway.user;

import java.time.Clock;
import java.util.Map;

import dev.creditgate.gateway.web.ApiResponse;
import dev.creditgate.gateway.web.ErrorCode;
import dev.creditgate.gateway.web.GatewayException;
import dev.creditgate.gateway.web.JsonBody;
import tools.jackson.databind.JsonNode;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Users: {@code POST /api/user/ {username, quota, group}}, {@code GET /api/user/:id},
 * {@code POST /api/user/manage {id, action: add_quota|disable|enable, mode: add|subtract|override, value}}.
 */
@RestController
@RequestMapping("/api/user")
class UserController {

    static final long MAX_QUOTA = 1_000_000_000_000_000L; // 2e9 USD: anything above is a typo

    private final UserRepository users;
    private final Clock clock;

    UserController(UserRepository users, Clock clock) {
        this.users = users;
        this.clock = clock;
    }

    @PostMapping({"", "/"})
    ApiResponse create(@RequestBody JsonNode json) {
        JsonBody body = JsonBody.of(json);
        String username = JsonBody.maxLength("username", body.requireString("username").trim(), 64);
        Long quota = body.getLong("quota");
        long q = JsonBody.range("quota", quota == null ? 0 : quota, 0, MAX_QUOTA);
        String group = body.getString("group");
        group = group == null || group.isBlank() ? "default" : JsonBody.maxLength("group", group.trim(), 64);
        long id;
        try {
            id = users.insert(username, q, group, clock.instant().getEpochSecond());
        } catch (DuplicateKeyException e) {
            throw new GatewayException(ErrorCode.CONFLICT, "username: \"" + username + "\" already exists");
        }
        return ApiResponse.ok(users.find(id).orElseThrow());
    }

    @GetMapping("/{id}")
    ApiResponse get(@PathVariable long id) {
        return ApiResponse.ok(users.find(id).orElseThrow(() -> GatewayException.notFound("user " + id + " not found")));
    }

    @PostMapping("/manage")
    ApiResponse manage(@RequestBody JsonNode json) {
        JsonBody body = JsonBody.of(json);
        long id = body.requireLong("id");
        String action = body.requireString("action");
        if (!users.exists(id)) {
            throw GatewayException.notFound("user " + id + " not found");
        }
        switch (JsonBody.oneOf("action", action, Map.of("add_quota", 0, "disable", 1, "enable", 2))) {
            case 0 -> {
                String mode = body.getString("mode");
                mode = mode == null ? "add" : mode;
                long value = JsonBody.range("value", body.requireLong("value"), 0, MAX_QUOTA);
                int changed = switch (JsonBody.oneOf("mode", mode, Map.of("add", 0, "subtract", 1, "override", 2))) {
                    case 0 -> users.addQuota(id, value);
                    case 1 -> users.addQuota(id, -value);
                    default -> users.setQuota(id, value);
                };
                if (changed == 0) {
                    throw GatewayException.badRequest("value: " + value + " (expected: <= the user's quota when subtracting)");
                }
            }
            case 1 -> users.setStatus(id, User.DISABLED);
            default -> users.setStatus(id, User.ENABLED);
        }
        return ApiResponse.ok(users.find(id).orElseThrow());
    }
}
