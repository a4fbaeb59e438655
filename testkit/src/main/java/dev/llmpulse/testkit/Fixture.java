package dev.llmpulse.testkit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okio.Buffer;

/**
 * The first exchange of a recorded cassette in the repository's {@code fixtures/} (see its
 * README), served by MockWebServer. Test scope only: jackson-core and MockWebServer are the
 * test's own (provided here), so a host keeps the versions it pins.
 *
 * <pre>{@code
 * Fixture fixture = Fixture.load("openai/test_chat_completion_with_content.json");
 * server.enqueue(fixture.response());
 * }</pre>
 */
public final class Fixture {
  /** Resolves every host to loopback: a request sent under its recorded host keeps its provider. */
  public static final Dns LOOPBACK =
      hostname -> Collections.singletonList(InetAddress.getLoopbackAddress());

  private final String method;
  private final String uri;
  /** The recorded request's path and query. */
  public final String path;
  /** The recorded request body, as sent. */
  public final String requestBody;
  private final int status;
  private final List<String[]> headers = new ArrayList<>();
  /** The recorded response body (decoded from base64 when recorded so). */
  public final byte[] body;

  @SuppressWarnings("unchecked")
  private Fixture(Map<String, Object> exchange) {
    Map<String, Object> request = (Map<String, Object>) exchange.get("request");
    Map<String, Object> response = (Map<String, Object>) exchange.get("response");
    method = ((String) request.get("method")).toUpperCase(Locale.ROOT);
    uri = (String) request.get("uri");
    path = uri.replaceFirst("^https?://[^/]+", "");
    requestBody = (String) request.get("body");
    status = ((Number) response.get("status")).intValue();
    Map<String, Object> recorded = (Map<String, Object>) response.get("headers");
    for (Map.Entry<String, Object> header : recorded.entrySet()) {
      String lower = header.getKey().toLowerCase(Locale.ROOT);
      if (lower.equals("content-length") || lower.equals("transfer-encoding")) continue;
      // The recordings scrub cookies to "test_set_cookie", which Spring's JDK connector rejects.
      if (lower.equals("set-cookie")) continue;
      for (Object value : (List<Object>) header.getValue()) {
        headers.add(new String[] {header.getKey(), (String) value});
      }
    }
    if (response.get("bodyBase64") != null) {
      body = Base64.getDecoder().decode((String) response.get("bodyBase64"));
    } else if (response.get("body") != null) {
      body = ((String) response.get("body")).getBytes(StandardCharsets.UTF_8);
    } else {
      body = new byte[0];
    }
  }

  /**
   * Loads {@code relativePath} under {@code $LLMPULSE_FIXTURES}, else under the first {@code
   * fixtures/} found from the working directory upwards (a module, or a host one level deeper).
   */
  @SuppressWarnings("unchecked")
  public static Fixture load(String relativePath) {
    try (JsonParser parser = new JsonFactory().createParser(root().resolve(relativePath).toFile())) {
      parser.nextToken();
      Map<String, Object> cassette = (Map<String, Object>) read(parser);
      List<Object> interactions = (List<Object>) cassette.get("interactions");
      return new Fixture((Map<String, Object>) interactions.get(0));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read fixture " + relativePath, e);
    }
  }

  /** The repository's recordings. */
  public static Path root() {
    String env = System.getenv("LLMPULSE_FIXTURES");
    if (env != null) return Paths.get(env);
    Path dir = Paths.get("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("fixtures"))) return d.resolve("fixtures");
    }
    throw new IllegalStateException("no fixtures/ above " + dir + " and no LLMPULSE_FIXTURES");
  }

  /** The response as recorded: status, headers and body bytes. */
  public MockResponse response() {
    MockResponse mock = new MockResponse().setResponseCode(status);
    for (String[] header : headers) mock.addHeader(header[0], header[1]);
    return mock.setBody(new Buffer().write(body));
  }

  /**
   * The recorded request (method, URL, JSON body) for {@code server}: the recorded host name with
   * the server's port, over plain HTTP; send it with a client that resolves by {@link #LOOPBACK}.
   */
  public Request request(MockWebServer server) {
    HttpUrl local = HttpUrl.get(uri).newBuilder().scheme("http").port(server.getPort()).build();
    RequestBody content = requestBody == null ? null
        : RequestBody.create(requestBody, MediaType.get("application/json"));
    return new Request.Builder().url(local).method(method, content).build();
  }

  /** The recorded response cut after {@code length} body bytes: an upstream that broke off. */
  public MockResponse responseCutAt(int length) {
    MockResponse mock = new MockResponse().setResponseCode(status);
    for (String[] header : headers) mock.addHeader(header[0], header[1]);
    return mock.setBody(new Buffer().write(body, 0, length));
  }

  /** The offset of {@code text} in the recorded body. */
  public int indexOf(String text) {
    return new String(body, StandardCharsets.UTF_8).indexOf(text);
  }

  private static Object read(JsonParser parser) throws IOException {
    JsonToken token = parser.currentToken();
    switch (token) {
      case START_OBJECT:
        Map<String, Object> object = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          parser.nextToken();
          object.put(name, read(parser));
        }
        return object;
      case START_ARRAY:
        List<Object> array = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) array.add(read(parser));
        return array;
      case VALUE_STRING:
        return parser.getText();
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return parser.getNumberValue();
      case VALUE_TRUE:
      case VALUE_FALSE:
        return parser.getBooleanValue();
      case VALUE_NULL:
        return null;
      default:
        throw new IOException("unexpected " + token);
    }
  }
}
