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

/**
 * Content chunks are timed by the read that delivered them: the events of one piece of body
 * arrived together, so they share its time (gaps of zero), and the clock is read once per piece,
 * not once per event.
 */
class ChunkTimingTest {
  private static final long MS = 1_000_000;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final LlmMetrics metrics = LlmMetrics.forRegistry(registry);
  private final AtomicLong now = new AtomicLong();
  private final AtomicLong reads = new AtomicLong();

  /** A clock that moves one millisecond each time it is read. */
  private long tick() {
    reads.incrementAndGet();
    return now.addAndGet(MS);
  }

  private static String event(String content) {
    return "data: {\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content
        + "\"}}]}\n\n";
  }

  private LlmCall streamingCall() {
    LlmCall call = metrics.startCall(WireFormat.OPENAI_CHAT, "openai", "gpt-4o",
        "api.openai.com", true, CostModel.NONE, this::tick, null);
    call.onResponse(200, "text/event-stream", RateLimitSnapshot.EMPTY);
    return call;
  }

  private static void read(LlmCall call, String piece) {
    byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
    call.onBody(bytes, 0, bytes.length);
  }

  private String scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String series(String name) {
    return name + "{gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"openai\","
        + "gen_ai_request_model=\"gpt-4o\",gen_ai_response_model=\"m\","
        + "server_address=\"api.openai.com\"} ";
  }

  @Test
  void theEventsOfOnePieceShareItsTime() throws IOException {
    LlmCall call = streamingCall(); // started at 1 ms
    long before = reads.get();
    read(call, event("a") + event("b") + event("c") + event("d"));
    assertThat(reads.get() - before).as("clock reads for one piece of four chunks").isEqualTo(1);
    read(call, event("e") + "data: [DONE]\n\n"); // one read later
    call.onBodyEnd();

    String text = scrape();
    assertThat(text)
        .contains(series("gen_ai_client_operation_time_per_output_chunk_seconds_count") + "4")
        .contains(series("gen_ai_client_operation_time_per_output_chunk_seconds_sum") + "0.001")
        .contains(series("gen_ai_client_operation_time_to_first_chunk_seconds_sum") + "0.001");
  }

  @Test
  void eachPieceIsTimedWhenItArrives() throws IOException {
    LlmCall call = streamingCall(); // started at 1 ms
    read(call, event("a")); // 2 ms
    now.addAndGet(40 * MS);
    read(call, event("b")); // 43 ms
    read(call, "data: [DONE]\n\n"); // no content: no clock read
    call.onBodyEnd();

    String text = scrape();
    assertThat(text)
        .contains(series("gen_ai_client_operation_time_per_output_chunk_seconds_count") + "1")
        .contains(series("gen_ai_client_operation_time_per_output_chunk_seconds_sum") + "0.041")
        .contains(series("gen_ai_client_operation_time_to_first_chunk_seconds_sum") + "0.001");
  }
}
