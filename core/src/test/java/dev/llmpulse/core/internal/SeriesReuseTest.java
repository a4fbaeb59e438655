package dev.llmpulse.core.internal;

import dev.llmpulse.core.CostModel;
import dev.llmpulse.core.WireFormat;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Calls reuse the data points of their label combination; every call still lands on its own. */
class SeriesReuseTest {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final LlmMetrics metrics = LlmMetrics.forRegistry(registry);
  private final AtomicLong clock = new AtomicLong();

  private void call(String responseBody, String contentType) {
    LlmCall call = metrics.startCall(WireFormat.OPENAI_CHAT, "openai", "gpt-4o", "api.openai.com",
        contentType.startsWith("text/event-stream"), CostModel.NONE, clock::get, null);
    call.onResponse(200, contentType, RateLimitSnapshot.EMPTY);
    byte[] body = responseBody.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < body.length; i += 16) {
      clock.addAndGet(1_000_000);
      call.onBody(body, i, Math.min(16, body.length - i));
    }
    call.onBodyEnd();
  }

  private static String answer(String model, int input, int output) {
    return "{\"model\":\"" + model + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
        + "\"content\":\"hi\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":" + input
        + ",\"completion_tokens\":" + output + ",\"total_tokens\":" + (input + output) + "}}";
  }

  private String scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String tokens(String responseModel, String type) {
    return "gen_ai_client_tokens_total{gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"openai\","
        + "gen_ai_request_model=\"gpt-4o\",gen_ai_response_model=\"" + responseModel
        + "\",gen_ai_token_type=\"" + type + "\",server_address=\"api.openai.com\"} ";
  }

  @Test
  void interleavedResponseModelsEachKeepTheirOwnCounts() throws IOException {
    call(answer("gpt-4o-2024-08-06", 10, 1), "application/json");
    call(answer("gpt-4o-2024-11-20", 20, 2), "application/json");
    call(answer("gpt-4o-2024-08-06", 30, 3), "application/json");

    String text = scrape();
    assertThat(text).contains(tokens("gpt-4o-2024-08-06", "input") + "40.0")
        .contains(tokens("gpt-4o-2024-08-06", "output") + "4.0")
        .contains(tokens("gpt-4o-2024-11-20", "input") + "20.0")
        .contains(tokens("gpt-4o-2024-11-20", "output") + "2.0");
    assertThat(text).as("no stream, so no time-to-first-chunk series")
        .doesNotContain("gen_ai_client_operation_time_to_first_chunk_seconds_count");
    assertThat(text).as("unpriced: CostModel.NONE prices nothing")
        .contains("gen_ai_client_unpriced_operations_total{gen_ai_operation_name=\"chat\"");
  }

  @Test
  void aStreamWhoseModelChangesRecordsEachGapUnderTheModelSeenSoFar() throws IOException {
    String stream = "data: {\"model\":\"m-0\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n"
        + "data: {\"model\":\"m-0\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"}}]}\n\n"
        + "data: {\"model\":\"m-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"c\"},"
        + "\"finish_reason\":\"stop\"}]}\n\n"
        + "data: [DONE]\n\n";
    call(stream, "text/event-stream");

    String text = scrape();
    assertThat(text).contains(series("gen_ai_client_operation_time_per_output_chunk_seconds_count{", "m-0") + "1")
        .contains(series("gen_ai_client_operation_time_per_output_chunk_seconds_count{", "m-1") + "1")
        .contains(series("gen_ai_client_operation_duration_seconds_count{error_type=\"\",", "m-1") + "1")
        .doesNotContain(series("gen_ai_client_operation_duration_seconds_count{error_type=\"\",", "m-0"));
  }

  private static String series(String prefix, String responseModel) {
    return prefix + "gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"openai\","
        + "gen_ai_request_model=\"gpt-4o\",gen_ai_response_model=\"" + responseModel
        + "\",server_address=\"api.openai.com\"} ";
  }
}
