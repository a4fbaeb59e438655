package dev.llmpulse.examples.spring;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenAI Chat Completions API on loopback for the demo: whole answers and SSE streams (with the
 * usage chunk and {@code data: [DONE]}), token usage, finish reasons and rate-limit headers, as
 * api.openai.com sends them. Answers take 50 to 400 ms; streams send a chunk every 20 ms.
 */
final class FakeOpenAi implements Closeable {
  private static final String[] ANSWERS = {
      "Your order ships tomorrow and arrives within three days.",
      "I have started the refund; it reaches your card in five working days.",
      "The discount code applies at checkout to items not already on sale.",
      "You can change the delivery address until the parcel leaves the warehouse.",
  };
  private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern STREAM = Pattern.compile("\"stream\"\\s*:\\s*true");

  private final HttpServer server;
  private final AtomicLong ids = new AtomicLong();

  FakeOpenAi() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/chat/completions", this::chat);
    server.setExecutor(Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "fake-openai");
      t.setDaemon(true);
      return t;
    }));
    server.start();
  }

  /** The base URL Spring AI is configured with. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  private void chat(HttpExchange exchange) throws IOException {
    String request = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Matcher m = MODEL.matcher(request);
    String model = m.find() ? m.group(1) : "gpt-4o-mini";
    String answer = ANSWERS[ThreadLocalRandom.current().nextInt(ANSWERS.length)];
    int input = 20 + request.length() / 16;
    int output = answer.split(" ").length + 2;
    String id = "chatcmpl-demo" + ids.incrementAndGet();
    String responseModel = model + "-2024-07-18";
    String usage = "{\"prompt_tokens\":" + input + ",\"completion_tokens\":" + output
        + ",\"total_tokens\":" + (input + output) + "}";
    exchange.getResponseHeaders().add("x-ratelimit-limit-requests", "5000");
    exchange.getResponseHeaders().add("x-ratelimit-remaining-requests", "4999");
    exchange.getResponseHeaders().add("x-ratelimit-limit-tokens", "2000000");
    exchange.getResponseHeaders().add("x-ratelimit-remaining-tokens",
        String.valueOf(2_000_000 - input - output));
    sleep(50 + ThreadLocalRandom.current().nextInt(350));
    if (STREAM.matcher(request).find()) {
      exchange.getResponseHeaders().add("Content-Type", "text/event-stream; charset=utf-8");
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        String head = "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":"
            + System.currentTimeMillis() / 1000 + ",\"model\":\"" + responseModel + "\",";
        event(out, head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
            + "\"content\":\"\"},\"finish_reason\":null}]}");
        for (String word : answer.split("(?<= )")) {
          sleep(20);
          event(out, head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + word
              + "\"},\"finish_reason\":null}]}");
        }
        event(out, head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}");
        event(out, head + "\"choices\":[],\"usage\":" + usage + "}");
        event(out, "[DONE]");
      }
    } else {
      byte[] body = ("{\"id\":\"" + id + "\",\"object\":\"chat.completion\",\"created\":"
          + System.currentTimeMillis() / 1000 + ",\"model\":\"" + responseModel + "\","
          + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\""
          + answer + "\"},\"finish_reason\":\"stop\"}],\"usage\":" + usage + "}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static void event(OutputStream out, String data) throws IOException {
    out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
