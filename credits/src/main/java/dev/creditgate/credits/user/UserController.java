package dev.creditgate.credits.user;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.creditgate.credits.db.Sql;
import dev.creditgate.credits.ledger.Accounts;
import dev.creditgate.credits.ledger.Money;
import dev.creditgate.credits.web.ApiError;
import dev.creditgate.credits.web.Envelope;
import dev.creditgate.credits.web.RequestBodies;

/** Users (admin): create, read with balance/held/available/debt. */
@RestController
class UserController {

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");

    private final Sql sql;
    private final Accounts accounts;
    private final Clock clock;

    UserController(Sql sql, Accounts accounts, Clock clock) {
        this.sql = sql;
        this.accounts = accounts;
        this.clock = clock;
    }

    /** A user with amounts in credits. */
    record UserView(String id, String email, String name, Object balance, Object held, Object available, Object debt,
                    String createdAt) {
    }

    @PostMapping("/api/users")
    ResponseEntity<Envelope<UserView>> create(@RequestBody(required = false) byte[] body) {
        JsonNode o = RequestBodies.object(body);
        String email = RequestBodies.text(o, "email", 254).trim();
        String name = RequestBodies.text(o, "name", 200).trim();
        if (!EMAIL.matcher(email).matches()) {
            throw ApiError.INVALID_REQUEST.exception("email: \"" + email + "\" (expected an address like a@b.example)");
        }
        String id = UUID.randomUUID().toString();
        try {
            sql.jdbc().sql("INSERT INTO users (id, email, name, balance, held, created_at_ms) VALUES (:id, :e, :n, 0, 0, :t)")
                    .params(Map.of("id", id, "e", email, "n", name, "t", clock.millis())).update();
        } catch (DuplicateKeyException e) {
            throw ApiError.CONFLICT.exception("email: a user with this email exists");
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(Envelope.ok(view(id)));
    }

    @GetMapping("/api/users/{id}")
    Envelope<UserView> get(@PathVariable String id) {
        return Envelope.ok(view(id));
    }

    @GetMapping("/api/users")
    Envelope<List<UserView>> list(@RequestParam(defaultValue = "1") int page, @RequestParam(defaultValue = "20") int pageSize) {
        if (page < 1 || pageSize < 1 || pageSize > 100) {
            throw ApiError.INVALID_REQUEST.exception("page >= 1 and pageSize 1..100 expected");
        }
        List<String> ids = sql.jdbc().sql("SELECT id FROM users ORDER BY created_at_ms, id LIMIT :n OFFSET :o")
                .param("n", pageSize).param("o", (long) (page - 1) * pageSize).query(String.class).list();
        return Envelope.ok(ids.stream().map(this::view).toList());
    }

    private UserView view(String id) {
        if (!RequestBodies.isUuid(id)) {
            throw ApiError.NOT_FOUND.exception("user not found: " + abbreviate(id));
        }
        var row = sql.jdbc().sql("SELECT email, name, created_at_ms FROM users WHERE id = :id").param("id", id)
                .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2), Long.toString(rs.getLong(3))}).optional()
                .orElseThrow(() -> ApiError.NOT_FOUND.exception("user not found: " + id));
        Accounts.State s = accounts.state(id, clock.millis()).orElseThrow();
        return new UserView(id, row[0], row[1], Money.toCredits(s.balance()), Money.toCredits(s.held()),
                Money.toCredits(s.available()), Money.toCredits(s.debt()),
                Instant.ofEpochMilli(Long.parseLong(row[2])).toString());
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
