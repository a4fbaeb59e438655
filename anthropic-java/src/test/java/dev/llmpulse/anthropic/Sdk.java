package dev.llmpulse.anthropic;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.Sleeper;
import com.anthropic.core.http.Interceptor;
import com.anthropic.models.messages.MessageCreateParams;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import okhttp3.mockwebserver.MockWebServer;

/**
 * The real SDK client, as an application builds it, talking to MockWebServer on loopback. The
 * server is the client's HTTP proxy, so requests keep the SDK's real base URL host
 * ({@code api.anthropic.com}, hence its provider name) while never leaving the machine.
 */
final class Sdk {
  /** The SDK's retries back off 0.5 s and more; the tests do not wait for them. */
  static final Sleeper NO_WAIT = new Sleeper() {
    @Override
    public void sleep(Duration duration) {}

    @Override
    public CompletableFuture<Void> sleepAsync(Duration duration) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {}
  };

  /** The SDK version under test, set by the surefire execution. */
  static final String VERSION = System.getProperty("llmpulse.expectedAnthropic", "");

  /**
   * Before 3.0 the SDK resolves the base URL below its interceptors (the request they see has
   * none), so the host, and the provider named after it, are not known there.
   */
  static final boolean HOST_VISIBLE = !VERSION.startsWith("2.");

  /** The {@code server_address} and {@code gen_ai_provider_name} the calls get. */
  static final String ADDRESS = HOST_VISIBLE ? "api.anthropic.com" : "";
  static final String PROVIDER = HOST_VISIBLE ? "anthropic" : "_OTHER";

  private Sdk() {}

  static AnthropicOkHttpClient.Builder builder(MockWebServer server) {
    return AnthropicOkHttpClient.builder()
        .apiKey("sk-ant-test")
        .baseUrl("http://api.anthropic.com")
        .proxy(new Proxy(Proxy.Type.HTTP,
            new InetSocketAddress(server.getHostName(), server.getPort())))
        .sleeper(NO_WAIT);
  }

  static AnthropicClient client(MockWebServer server, Interceptor interceptor) {
    return builder(server).maxRetries(0).addInterceptor(interceptor).build();
  }

  /** A Messages request for {@code model}, as an application writes it. */
  static MessageCreateParams message(String model) {
    return MessageCreateParams.builder()
        .model(model)
        .maxTokens(1024)
        .addUserMessage("Reply with exactly: OK")
        .build();
  }
}
