package dev.traceflow.support;

import javax.sql.DataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A data source that records what its users send to the database: the SQL of every statement
 * executed (a prepared statement once per execution, a batch once) and every commit. Tests count a
 * use case's round trips with it, as a datasource-proxy or p6spy log would, without a dependency.
 * Thread-safe; a statement that fails is recorded too (it was sent).
 */
public final class StatementRecorder {

    private final DataSource dataSource;
    private final List<String> statements = new CopyOnWriteArrayList<>();
    private final AtomicInteger commits = new AtomicInteger();

    public StatementRecorder(DataSource target) {
        this.dataSource = proxy(DataSource.class, (p, method, args) -> {
            Object result = invoke(target, method, args);
            return result instanceof Connection c ? connection(c) : result;
        });
    }

    /** The recording data source: give it to every client of the work to record (JdbcClient, transactions). */
    public DataSource dataSource() {
        return dataSource;
    }

    /** The SQL executed since the last {@link #clear()}, in order. */
    public List<String> statements() {
        return List.copyOf(statements);
    }

    /** Commits since the last {@link #clear()}. */
    public int commits() {
        return commits.get();
    }

    public void clear() {
        statements.clear();
        commits.set(0);
    }

    private Connection connection(Connection target) {
        return proxy(Connection.class, (p, method, args) -> {
            Object result = invoke(target, method, args);
            if (method.getName().equals("commit")) {
                commits.incrementAndGet();
            }
            if (result instanceof Statement s) {
                // prepareStatement(sql, ...) and prepareCall(sql, ...) name their SQL now, createStatement() when it runs
                String prepared = method.getName().startsWith("prepare") ? (String) args[0] : null;
                return statement(s, method.getReturnType(), prepared);
            }
            return result;
        });
    }

    private Object statement(Statement target, Class<?> type, String preparedSql) {
        return proxy(type, (p, method, args) -> {
            if (method.getName().startsWith("execute")) {
                statements.add(preparedSql != null ? preparedSql : args != null && args.length > 0 ? (String) args[0] : "(batch)");
            }
            return invoke(target, method, args);
        });
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static <T> T proxy(Class<T> type, InvocationHandler handler) {
        return type.cast(Proxy.newProxyInstance(StatementRecorder.class.getClassLoader(), new Class<?>[]{type}, handler));
    }
}
