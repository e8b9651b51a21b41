package dev.fledge.server.support;

import dev.fledge.server.fixtures.FixtureTrainer;
import java.nio.file.Path;

/** Where the fixture models are ({@code make model-fixtures}); trains them first if they are missing. */
public final class FixtureModels {
    private FixtureModels() {}

    public static Path dir() {
        Path dir = Path.of(System.getProperty("fixture.models.dir", "target/fixtures/models"))
                .toAbsolutePath();
        return FixtureTrainer.ensure(dir);
    }

    public static Path model(String name) {
        return dir().resolve(name);
    }

    public static String uri(String name) {
        return model(name).toUri().toString();
    }
}
