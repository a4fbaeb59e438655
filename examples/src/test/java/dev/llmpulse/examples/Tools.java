package dev.llmpulse.examples;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Finds promtool and prometheus: required with CI=true, otherwise a missing one skips. */
final class Tools {
  static final String HOW_TO_GET = "install Debian's prometheus package (sudo apt-get install "
      + "prometheus; it brings /usr/bin/prometheus and /usr/bin/promtool) or put the binaries of "
      + "https://prometheus.io/download/ on PATH; .ci/run does this and sets CI=true";

  private Tools() {}

  /** The executable on PATH; fails under CI=true, skips the test otherwise. */
  static Path require(String name) {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        Path candidate = Paths.get(dir, name);
        if (Files.isExecutable(candidate)) return candidate;
      }
    }
    String message = name + " not found on PATH: " + HOW_TO_GET;
    if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(message);
    assumeTrue(false, message);
    return null;
  }

  /** examples/ of this checkout. */
  static Path examplesDir() {
    String dir = System.getProperty("llmpulse.examples.dir");
    return dir != null ? Paths.get(dir) : Paths.get("").toAbsolutePath();
  }
}
