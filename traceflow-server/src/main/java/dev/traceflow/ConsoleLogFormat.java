package dev.traceflow;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.io.Console;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Console logs as a person reads them when the server runs in a terminal ({@code ./traceflow} by
 * hand), and as ECS JSON lines otherwise (a container, systemd, a pipe: where a collector reads
 * them). {@code TRACEFLOW_LOG_FORMAT=json|text} decides instead of the terminal; an explicit
 * {@code logging.structured.format.console} wins over both. Runs before the logging system starts.
 */
public class ConsoleLogFormat implements EnvironmentPostProcessor, Ordered {

    static final String SOURCE = "traceflow-console-log-format";
    static final String STRUCTURED = "logging.structured.format.console";

    private final BooleanSupplier terminal;

    public ConsoleLogFormat() {
        this(ConsoleLogFormat::inTerminal);
    }

    ConsoleLogFormat(BooleanSupplier terminal) {
        this.terminal = terminal;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String format = environment.getProperty("TRACEFLOW_LOG_FORMAT", "auto").strip().toLowerCase(Locale.ROOT);
        boolean json = switch (format) {
            case "json", "ecs" -> true;
            case "text", "plain" -> false;
            default -> !terminal.getAsBoolean();
        };
        if (json) {
            // last: an operator's own logging.structured.format.console (logstash, gelf...) still wins
            environment.getPropertySources().addLast(new MapPropertySource(SOURCE, Map.of(STRUCTURED, "ecs")));
        }
    }

    /** Whether standard output is a terminal (Java 22+ says so; on 21 a console exists only on one). */
    static boolean inTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
