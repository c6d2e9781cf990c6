package dev.creditgate.credits.user;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

import dev.creditgate.credits.db.Sql;
import dev.creditgate.credits.ledger.Accounts;
import dev.creditgate.credits.ledger.Money;
import dev.creditgate.credits.web.ApiError;
import dev.creditgate.credits.web.RequestBodies;

/** Users: create, read with balance/held/available/debt (credits), list and search; for the API and the console. */
@Service
public class UserService {

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");

    private final Sql sql;
    private final Accounts accounts;
    private final Clock clock;

    UserService(Sql sql, Accounts accounts, Clock clock) {
        this.sql = sql;
        this.accounts = accounts;
        this.clock = clock;
    }

    /** A user with amounts in credits. */
    public record UserView(String id, String email, String name, Object balance, Object held, Object available,
                           Object debt, String createdAt) {
    }

    /** Creates a user (email unique, 409 otherwise); bad input 400. */
    public UserView create(String email, String name) {
        if (email == null || email.isBlank() || email.length() > 254) {
            throw ApiError.INVALID_REQUEST.exception("email: expected 1..254 characters");
        }
        if (name == null || name.isBlank() || name.length() > 200) {
            throw ApiError.INVALID_REQUEST.exception("name: expected 1..200 characters");
        }
        String e = email.trim();
        String n = name.trim();
        if (!EMAIL.matcher(e).matches()) {
            throw ApiError.INVALID_REQUEST.exception("email: \"" + e + "\" (expected an address like a@b.example)");
        }
        String id = UUID.randomUUID().toString();
        try {
            sql.jdbc().sql("INSERT INTO users (id, email, name, balance, held, created_at_ms) VALUES (:id, :e, :n, 0, 0, :t)")
                    .params(Map.of("id", id, "e", e, "n", n, "t", clock.millis())).update();
        } catch (DuplicateKeyException dup) {
            throw ApiError.CONFLICT.exception("email: a user with this email exists");
        }
        return view(id);
    }

    /** One user; 404 when unknown. */
    public UserView view(String id) {
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

    /** Users in creation order; page from 1, pageSize 1..100. */
    public List<UserView> list(int page, int pageSize) {
        return search(null, page, pageSize);
    }

    /**
     * Users whose email or name contains {@code query} (case-insensitive; null or blank: all), in creation order;
     * page from 1, pageSize 1..100.
     */
    public List<UserView> search(String query, int page, int pageSize) {
        if (page < 1 || page > 1_000_000 || pageSize < 1 || pageSize > 100) {
            throw ApiError.INVALID_REQUEST.exception("page >= 1 and pageSize 1..100 expected");
        }
        String q = query == null || query.isBlank() ? null : query.trim();
        if (q != null && q.length() > 254) {
            throw ApiError.INVALID_REQUEST.exception("query: expected at most 254 characters");
        }
        var spec = sql.jdbc().sql("SELECT id FROM users" + (q == null ? "" : " WHERE LOWER(email) LIKE :q ESCAPE '!'"
                        + " OR LOWER(name) LIKE :q ESCAPE '!'") + " ORDER BY created_at_ms, id LIMIT :n OFFSET :o")
                .param("n", pageSize).param("o", (long) (page - 1) * pageSize);
        if (q != null) {
            spec = spec.param("q", "%" + q.toLowerCase(java.util.Locale.ROOT)
                    .replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%");
        }
        return spec.query(String.class).list().stream().map(this::view).toList();
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
