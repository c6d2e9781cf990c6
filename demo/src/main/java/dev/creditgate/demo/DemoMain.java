package dev.creditgate.demo;

/** Placeholder: the one-command launcher (issue 6). */
public final class DemoMain {
    private DemoMain() {}

    public static void main(String[] args) {
        System.out.println("demo launcher not built yet");
    }
}
