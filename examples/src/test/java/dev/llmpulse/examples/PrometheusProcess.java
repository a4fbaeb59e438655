package dev.llmpulse.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Prometheus started for a test on an ephemeral loopback port, in its own temporary
 * directory, and stopped by {@link #close()} (only this process: by its handle, never by name).
 */
final class PrometheusProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  final String name;
  final String base;
  private final Path dir;
  private final Process process;

  private PrometheusProcess(String name, Path dir, Process process, int port) {
    this.name = name;
    this.dir = dir;
    this.process = process;
    this.base = "http://127.0.0.1:" + port;
  }

  /**
   * Starts {@code binary} with {@code config} written to its directory; {@code agent} runs it in
   * agent mode (scrape and remote-write only), otherwise it is a server that also accepts
   * remote writes ({@code --web.enable-remote-write-receiver}).
   */
  static PrometheusProcess start(Path binary, String name, String config, boolean agent)
      throws Exception {
    Path dir = Files.createTempDirectory("llmpulse-prometheus-" + name);
    Path configFile = dir.resolve("prometheus.yml");
    Files.writeString(configFile, config);
    int port = freePort();
    List<String> command = new ArrayList<>(List.of(binary.toString(),
        "--config.file=" + configFile, "--web.listen-address=127.0.0.1:" + port,
        "--log.level=warn"));
    if (agent) {
      command.add("--enable-feature=agent");
      command.add("--storage.agent.path=" + dir.resolve("wal"));
    } else {
      command.add("--storage.tsdb.path=" + dir.resolve("data"));
      command.add("--web.enable-remote-write-receiver");
    }
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    PrometheusProcess prometheus = new PrometheusProcess(name, dir, process, port);
    for (int i = 0; i < 150; i++) {
      try {
        HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(
            URI.create(prometheus.base + "/-/ready")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (ready.statusCode() == 200) return prometheus;
      } catch (IOException notYet) {
        // starting
      }
      if (!process.isAlive()) break;
      Thread.sleep(200);
    }
    String log = Files.readString(dir.resolve("prometheus.log"));
    prometheus.close();
    throw new AssertionError("prometheus " + name + " did not start: " + log);
  }

  JsonNode get(String path) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new AssertionError(name + " " + path + ": " + response.statusCode() + " "
          + response.body());
    }
    return JSON.readTree(response.body());
  }

  /** Every alert pending or firing now. */
  List<JsonNode> alerts() throws Exception {
    List<JsonNode> list = new ArrayList<>();
    get("/api/v1/alerts").path("data").path("alerts").forEach(list::add);
    return list;
  }

  /** The result vector of an instant query. */
  JsonNode query(String promql) throws Exception {
    return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))
        .path("data").path("result");
  }

  /** The result matrix of a range query, times in unix seconds. */
  JsonNode queryRange(String promql, double start, double end, int stepSeconds)
      throws Exception {
    return get("/api/v1/query_range?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
        + "&start=" + start + "&end=" + end + "&step=" + stepSeconds).path("data").path("result");
  }

  String log() throws IOException {
    return Files.readString(dir.resolve("prometheus.log"));
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
    if (Files.exists(dir)) {
      try (Stream<Path> paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
