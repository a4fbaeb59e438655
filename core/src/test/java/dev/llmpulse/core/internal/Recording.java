package dev.llmpulse.core.internal;

import dev.llmpulse.core.WireFormat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/** One recorded interaction of ../fixtures (see fixtures/README.md), as the scanner sees it. */
final class Recording {
  private static final ObjectMapper JSON = new ObjectMapper();

  final String name;
  final String path; // the request path with its query
  final String requestBody;
  final boolean streamRequested;
  final int status;
  final String contentType;
  final byte[] body; // decoded when the recording is gzipped

  private Recording(String name, String path, String requestBody, boolean streamRequested,
      int status, String contentType, byte[] body) {
    this.name = name;
    this.path = path;
    this.requestBody = requestBody;
    this.streamRequested = streamRequested;
    this.status = status;
    this.contentType = contentType;
    this.body = body;
  }

  static Path root() {
    Path path = Paths.get(System.getenv().getOrDefault("LLMPULSE_FIXTURES", "../fixtures"));
    return Files.isDirectory(path) ? path : Paths.get("fixtures");
  }

  static Recording load(String fixture, int interaction) {
    try {
      JsonNode node = JSON.readTree(root().resolve(fixture).toFile()).get("interactions").get(interaction);
      return of(fixture + "#" + interaction, node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every interaction of every recording (the price table aside). */
  static List<Recording> all() {
    List<Recording> all = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root())) {
      for (Path file : walk.filter(p -> p.toString().endsWith(".json") && !p.toString().contains("pricing"))
          .sorted().collect(Collectors.toList())) {
        String name = root().relativize(file).toString();
        int i = 0;
        for (JsonNode node : JSON.readTree(file.toFile()).get("interactions")) all.add(of(name + "#" + i++, node));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return all;
  }

  private static Recording of(String name, JsonNode node) throws IOException {
    JsonNode request = node.get("request");
    JsonNode response = node.get("response");
    String uri = request.get("uri").asText();
    int start = uri.indexOf('/', uri.indexOf("://") + 3);
    String path = start < 0 ? "/" : uri.substring(start);
    String requestBody = request.path("body").asText("");
    boolean stream = WireFormat.detect(path).streamsByDefault(); // Ollama, unless told not to
    if (requestBody.startsWith("{")) {
      JsonNode streamField = JSON.readTree(requestBody).get("stream");
      if (streamField != null && streamField.isBoolean()) stream = streamField.asBoolean();
    }
    stream |= WireFormat.isStreamingPath(path);
    String contentType = null;
    boolean gzip = false;
    for (Iterator<Map.Entry<String, JsonNode>> it = response.get("headers").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> header = it.next();
      String value = header.getValue().get(0).asText();
      if (header.getKey().equalsIgnoreCase("Content-Type")) contentType = value;
      if (header.getKey().equalsIgnoreCase("Content-Encoding")) gzip = value.toLowerCase(Locale.ROOT).contains("gzip");
    }
    byte[] body;
    if (response.hasNonNull("bodyBase64")) {
      body = Base64.getDecoder().decode(response.get("bodyBase64").asText());
      if (gzip) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
          body = in.readAllBytes();
        }
      }
    } else {
      body = response.path("body").asText("").getBytes(StandardCharsets.UTF_8);
    }
    return new Recording(name, path, requestBody, stream, response.get("status").asInt(), contentType, body);
  }

  /** A scanner builder for this recording's response. */
  ResponseScanner.Builder builder() {
    return ResponseScanner.builder(format()).httpStatus(status).contentType(contentType)
        .streamExpected(streamRequested);
  }

  WireFormat format() {
    return WireFormat.detect(path);
  }

  String text() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** Scans {@code bytes} as this recording's response, fed in pieces of {@code piece} bytes. */
  ResponseScanner scan(byte[] bytes, int piece) {
    return scan(bytes, piece, true);
  }

  /**
   * The same, with or without handing repeated stream events over from the one before ({@link
   * RepeatedEvents}).
   */
  ResponseScanner scan(byte[] bytes, int piece, boolean repeatedEvents) {
    ResponseScanner scanner = builder().repeatedEvents(repeatedEvents).build();
    for (int i = 0; i < bytes.length; i += piece) scanner.feed(bytes, i, Math.min(piece, bytes.length - i));
    scanner.endOfInput();
    return scanner;
  }

  ResponseScanner scan(int piece) {
    return scan(body, piece);
  }

  ResponseScanner scan(String text) {
    return scan(text.getBytes(StandardCharsets.UTF_8), Integer.MAX_VALUE);
  }

  @Override
  public String toString() {
    return name;
  }
}
