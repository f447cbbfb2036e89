package dev.traceflow.builds.internal.run;

import org.h2.jdbcx.JdbcDataSource;

import javax.sql.DataSource;
import java.util.concurrent.ThreadLocalRandom;

/** The build log on H2, the embedded default. */
class JdbcBuildLogStoreH2Test extends BuildLogStoreContract {

    private final JdbcDataSource ds = new JdbcDataSource();

    JdbcBuildLogStoreH2Test() {
        ds.setURL("jdbc:h2:mem:buildlogs" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ";DB_CLOSE_DELAY=-1");
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
