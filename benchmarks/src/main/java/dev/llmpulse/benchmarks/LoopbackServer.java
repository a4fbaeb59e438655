package dev.llmpulse.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import okhttp3.Headers;

/**
 * An HTTP/1.1 server on 127.0.0.1 (the JDK's HttpServer with TCP_NODELAY: MockWebServer's
 * ~40 ms Nagle/delayed-ACK stall per POST would hide everything). {@code /v1/chat/completions}
 * answers the 2 KB completion; {@code /stream/v1/chat/completions} the SSE stream, one flush per
 * event, chunked.
 */
final class LoopbackServer implements AutoCloseable {
  static {
    // Read once by the JDK server's config class: set before the first HttpServer is created.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final HttpServer server;
  private final ExecutorService executor;

  LoopbackServer(int threads) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    executor = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "loopback-server");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext(Payloads.PATH, this::chat);
    server.createContext("/stream" + Payloads.PATH, this::stream);
    server.start();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private static void drain(InputStream in) throws IOException {
    byte[] buf = new byte[4096];
    while (in.read(buf) != -1) {
      // the server reads the whole request
    }
  }

  private static void copyHeaders(HttpExchange exchange, Headers headers) {
    for (Map.Entry<String, List<String>> h : headers.toMultimap().entrySet()) {
      exchange.getResponseHeaders().put(h.getKey(), h.getValue());
    }
  }

  private static final Headers JSON_HEADERS = Payloads.responseHeaders(Payloads.JSON);
  private static final Headers SSE_HEADERS = Payloads.responseHeaders(Payloads.SSE);
  private static final byte[][] EVENTS = Payloads.streamEvents(Payloads.STREAM_CHUNKS);

  private void chat(HttpExchange exchange) throws IOException {
    try (exchange) {
      drain(exchange.getRequestBody());
      copyHeaders(exchange, JSON_HEADERS);
      exchange.sendResponseHeaders(200, Payloads.CHAT_RESPONSE.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(Payloads.CHAT_RESPONSE);
      }
    }
  }

  private void stream(HttpExchange exchange) throws IOException {
    try (exchange) {
      drain(exchange.getRequestBody());
      copyHeaders(exchange, SSE_HEADERS);
      exchange.sendResponseHeaders(200, 0); // chunked
      try (OutputStream out = exchange.getResponseBody()) {
        for (byte[] event : EVENTS) {
          out.write(event);
          out.flush();
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
