package dev.llmpulse.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import org.junit.jupiter.api.Test;

/**
 * The interceptor reads the response headers it needs (Content-Type, Content-Encoding, rate
 * limits) in one pass, exactly as {@code Response.header} would: any case, the last of repeated
 * names.
 */
class ResponseHeadersTest {
  private static final Fixture.Interaction STREAM =
      Fixture.load("openai/test_chat_completion_streaming.json").first();

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final LlmMetricsInterceptor interceptor =
      LlmMetricsInterceptor.builder().registry(registry).build();

  /** Answers with the recorded stream's body under {@code headers} (name, value pairs). */
  private void call(String... headers) throws IOException {
    Interceptor answer = chain -> {
      Response.Builder builder = new Response.Builder().request(chain.request())
          .protocol(Protocol.HTTP_1_1).code(200).message("OK")
          .body(ResponseBody.create(new Buffer().write(STREAM.responseBody),
              (MediaType) null, STREAM.responseBody.length));
      for (int i = 0; i < headers.length; i += 2) builder.addHeader(headers[i], headers[i + 1]);
      return builder.build();
    };
    OkHttpClient client = InProcess.client(interceptor, answer);
    try (Response response = client.newCall(
        InProcess.chat("https://api.openai.com/v1/chat/completions", "gpt-4o-mini", true))
        .execute()) {
      response.body().bytes();
    }
  }

  private Scrape scrape() {
    return Scrape.of(registry);
  }

  @Test
  void theLastContentTypeInAnyCaseDecidesTheStream() throws IOException {
    call("Content-Type", "application/json", "CONTENT-type", "text/event-stream");

    assertThat(scrape().histogramCount("gen_ai_client_operation_time_to_first_chunk_seconds"))
        .isEqualTo(1);
    assertThat(scrape().counter("gen_ai_client_tokens", "gen_ai_token_type", "output"))
        .isGreaterThan(0);
  }

  @Test
  void aContentTypeBeforeTheLastDoesNotDecide() throws IOException {
    call("content-type", "text/event-stream", "Content-Type", "application/json");

    assertThat(scrape().histogramCount("gen_ai_client_operation_time_to_first_chunk_seconds"))
        .isZero();
    assertThat(scrape().counter("gen_ai_client_invalid_responses")).isEqualTo(1);
  }

  @Test
  void contentEncodingInAnyCaseIsRead() throws IOException {
    call("Content-Type", "text/event-stream", "content-ENCODING", "br");

    assertThat(scrape().counter("gen_ai_client_unparsed_responses",
        "reason", "unsupported_encoding")).isEqualTo(1);
    assertThat(scrape().counter("gen_ai_client_tokens")).isZero();
  }

  @Test
  void rateLimitHeadersAroundTheContentHeadersAreReadInAnyCaseLastOneWinning()
      throws IOException {
    call("X-RateLimit-Remaining-Requests", "7", "Content-Type", "text/event-stream",
        "x-ratelimit-limit-requests", "100", "x-ratelimit-remaining-requests", "9",
        "Content-Encoding", "identity", "X-RATELIMIT-REMAINING-REQUESTS", "8");

    assertThat(scrape().gauge("gen_ai_client_rate_limit_remaining", "limit_type", "requests"))
        .isEqualTo(8);
    assertThat(scrape().gauge("gen_ai_client_rate_limit_limit", "limit_type", "requests"))
        .isEqualTo(100);
    assertThat(scrape().histogramCount("gen_ai_client_operation_time_to_first_chunk_seconds"))
        .isEqualTo(1);
  }
}
