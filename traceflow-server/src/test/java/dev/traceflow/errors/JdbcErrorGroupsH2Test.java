package dev.traceflow.errors;

import org.h2.jdbcx.JdbcDataSource;

import javax.sql.DataSource;
import java.util.concurrent.ThreadLocalRandom;

/** The error groups table on H2, the embedded default. */
class JdbcErrorGroupsH2Test extends ErrorGroupsStoreContract {

    private final JdbcDataSource ds = new JdbcDataSource();

    JdbcErrorGroupsH2Test() {
        ds.setURL("jdbc:h2:mem:errors" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ";DB_CLOSE_DELAY=-1");
        ds.setUser("sa");
    }

    @Override
    DataSource dataSource() {
        return ds;
    }

    @Override
    String vendor() {
        return "h2";
    }
}
