package dev.llmpulse.hosts.clients;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * The provider's API, replayed by MockWebServer on loopback. The server is the JVM's default
 * HTTP proxy while a test runs, so a client keeps its real host ({@code api.openai.com}, hence the
 * provider name) over plain HTTP and never leaves the machine; no recipe has to name a proxy.
 */
final class Upstream implements AutoCloseable {
  final MockWebServer server = new MockWebServer();
  private final ProxySelector previous = ProxySelector.getDefault();

  Upstream() throws IOException {
    server.start();
    InetSocketAddress address = new InetSocketAddress(server.getHostName(), server.getPort());
    ProxySelector.setDefault(new ProxySelector() {
      @Override
      public List<Proxy> select(URI uri) {
        return List.of(new Proxy(Proxy.Type.HTTP, address));
      }

      @Override
      public void connectFailed(URI uri, SocketAddress sa, IOException e) {}
    });
  }

  void enqueue(Recorded recorded) {
    server.enqueue(recorded.answer());
  }

  /** The next request the client sent, as the upstream received it. */
  RecordedRequest take() throws InterruptedException {
    RecordedRequest request = server.takeRequest(5, java.util.concurrent.TimeUnit.SECONDS);
    if (request == null) throw new AssertionError("the client sent no request");
    return request;
  }

  /** The JSON body of the next request the client sent. */
  JsonNode takeJson() throws Exception {
    return new ObjectMapper().readTree(take().getBody().readUtf8());
  }

  @Override
  public void close() throws IOException {
    ProxySelector.setDefault(previous);
    server.shutdown();
  }
}
