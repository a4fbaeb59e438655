package dev.llmpulse.core.internal;

import dev.llmpulse.core.WireFormat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmpulse.core.CostModel;
import dev.llmpulse.core.InvalidLlmResponseException;
import dev.llmpulse.core.ValidationMode;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The InputStream tee: the reader gets every byte unchanged, however it reads (one byte at a
 * time, in blocks, skipping), and the call sees them all and ends once at EOF, close or failure.
 */
class MeteredInputStreamTest {
  private static final String STREAM = ""
      + "data: {\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},"
      + "\"finish_reason\":null}]}\n\n"
      + "data: {\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":{},"
      + "\"finish_reason\":\"stop\"}]}\n\n"
      + "data: {\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,"
      + "\"completion_tokens\":2}}\n\n"
      + "data: [DONE]\n\n";
  private static final byte[] REQUEST =
      "{\"model\":\"gpt-4o-mini\",\"stream\":true}".getBytes(StandardCharsets.UTF_8);

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private Binding binding = Binding.settings().registry(registry).build(CostModel.NONE);

  private LlmCall answered() {
    LlmCall call = binding.start(WireFormat.OPENAI_CHAT, "api.openai.com", "/v1/chat/completions", REQUEST,
        REQUEST.length, true);
    call.onResponse(200, "text/event-stream", null, RateLimitSnapshot.EMPTY);
    return call;
  }

  private static InputStream body(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void byteByByteAndSkippedBytesAreAllSeenAndTheCallEndsAtEof() throws IOException {
    LlmCall call = answered();
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    try (InputStream in = new MeteredInputStream(body(STREAM), call, e -> "io_error", null)) {
      for (int i = 0; i < 10; i++) read.write(in.read());
      assertThat(in.skip(5)).isEqualTo(5);
      byte[] rest = in.readAllBytes();
      read.write(rest);
      assertThat(call.isEnded()).isTrue();
    }

    assertThat(read.toString(StandardCharsets.UTF_8.name()))
        .isEqualTo(STREAM.substring(0, 10) + STREAM.substring(15));
    assertThat(counter("gen_ai_client_tokens", "input")).isEqualTo(9);
    assertThat(counter("gen_ai_client_tokens", "output")).isEqualTo(2);
    assertThat(durationCount("")).isEqualTo(1);
  }

  @Test
  void closedBeforeTheEndOfAStreamIsCanceled() throws IOException {
    LlmCall call = answered();
    InputStream in = new MeteredInputStream(body(STREAM), call, e -> "io_error", null);
    in.read(new byte[20]);

    in.close();
    in.close();

    assertThat(durationCount("canceled")).isEqualTo(1);
  }

  @Test
  void aFailedReadEndsTheCallWithItsErrorTypeAndReachesTheReaderUnchanged() {
    LlmCall call = answered();
    SocketTimeoutException timeout = new SocketTimeoutException("Read timed out");
    InputStream failing = new InputStream() {
      @Override
      public int read() throws IOException {
        throw timeout;
      }
    };

    assertThatThrownBy(() -> new MeteredInputStream(failing, call, e -> ErrorTypes.of(e, false), null)
        .read(new byte[8], 0, 8)).isSameAs(timeout);
    assertThat(durationCount("timeout")).isEqualTo(1);
  }

  @Test
  void enforceReplacesTheEofOfAnIncompleteStream() {
    binding = Binding.settings().registry(registry).validation(ValidationMode.ENFORCE)
        .build(CostModel.NONE);
    LlmCall call = answered();
    String cut = STREAM.substring(0, STREAM.indexOf("data: [DONE]") - 60);
    InputStream in = new MeteredInputStream(body(cut), call, e -> "io_error",
        ended -> binding.enforcement(ended, "api.openai.com", 200));

    assertThatThrownBy(in::readAllBytes).isInstanceOf(InvalidLlmResponseException.class);
    assertThat(durationCount("incomplete_stream")).isEqualTo(1);
  }

  @Test
  void aFailingEnforcementCheckLetsEofThrough() throws IOException {
    LlmCall call = answered();
    InputStream in = new MeteredInputStream(body(STREAM), call, e -> "io_error", ended -> {
      throw new IllegalStateException("our bug");
    });

    assertThat(in.readAllBytes()).hasSize(STREAM.length());
    assertThat(durationCount("")).isEqualTo(1);
  }

  private double counter(String name, String tokenType) {
    double sum = 0;
    for (DataPointSnapshot p : points(name)) {
      if (tokenType.equals(p.getLabels().get("gen_ai_token_type"))) {
        sum += ((CounterSnapshot.CounterDataPointSnapshot) p).getValue();
      }
    }
    return sum;
  }

  private long durationCount(String errorType) {
    long count = 0;
    for (DataPointSnapshot p : points("gen_ai_client_operation_duration_seconds")) {
      if (errorType.equals(p.getLabels().get("error_type"))) {
        count += ((HistogramSnapshot.HistogramDataPointSnapshot) p).getCount();
      }
    }
    return count;
  }

  private java.util.List<DataPointSnapshot> points(String name) {
    java.util.List<DataPointSnapshot> result = new java.util.ArrayList<>();
    for (MetricSnapshot snapshot : registry.scrape()) {
      if (snapshot.getMetadata().getName().equals(name)) result.addAll(snapshot.getDataPoints());
    }
    return result;
  }
}
