package dev.creditgate.credits.web;

import java.io.IOException;

/** A request body above {@code credits.max-body-size}. */
public class BodyTooLargeException extends IOException {
    public BodyTooLargeException(long limit) {
        super("request body larger than " + limit + " bytes");
    }
}
