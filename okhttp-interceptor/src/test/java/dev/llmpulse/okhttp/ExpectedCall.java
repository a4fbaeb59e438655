package dev.llmpulse.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

/** What one recorded interaction must produce in the metrics, and the assertions that check it. */
final class ExpectedCall {
  private static final String[] TOKEN_TYPES = {"input", "output", "cache_read", "cache_creation", "reasoning"};

  final String fixture;
  final int interaction;
  String operation = "chat";
  String provider;
  String address;
  String requestModel;
  String responseModel;
  String errorType = "";
  long[] tokens; // by TOKEN_TYPES; null = no usage
  List<String> finishReasons = List.of();
  int contentChunks;
  String replayUrl; // null: the recorded URL
  java.util.function.UnaryOperator<String> replayBody = body -> body;

  private ExpectedCall(String fixture, int interaction) {
    this.fixture = fixture;
    this.interaction = interaction;
  }

  static ExpectedCall at(String fixture, int interaction) {
    return new ExpectedCall(fixture, interaction);
  }

  ExpectedCall call(String operation, String provider, String address) {
    this.operation = operation;
    this.provider = provider;
    this.address = address;
    return this;
  }

  ExpectedCall models(String request, String response) {
    this.requestModel = request;
    this.responseModel = response;
    return this;
  }

  ExpectedCall error(String errorType) {
    this.errorType = errorType;
    return this;
  }

  ExpectedCall tokens(long input, long output, long cacheRead, long cacheCreation, long reasoning) {
    this.tokens = new long[] {input, output, cacheRead, cacheCreation, reasoning};
    return this;
  }

  ExpectedCall finish(String... reasons) {
    this.finishReasons = Arrays.asList(reasons);
    return this;
  }

  ExpectedCall contentChunks(int count) {
    this.contentChunks = count;
    return this;
  }

  /**
   * Sends the recorded request to another URL, its body changed as that API would have it: the
   * same answer served by another vendor's endpoint (Vertex AI's Anthropic, Azure's v1 paths).
   */
  ExpectedCall replayedAt(String url, java.util.function.UnaryOperator<String> body) {
    this.replayUrl = url;
    this.replayBody = body;
    return this;
  }

  /** An Anthropic Messages request as Vertex AI takes it: no model (it is in the path), a version. */
  static String asVertexAnthropic(String body) {
    try {
      com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
      com.fasterxml.jackson.databind.node.ObjectNode node =
          (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(body);
      node.remove("model");
      node.put("anthropic_version", "vertex-2023-10-16");
      return json.writeValueAsString(node);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  Fixture.Interaction recorded() {
    return Fixture.load(fixture).interactions.get(interaction);
  }

  /** The request to replay: the recorded one, or as {@link #replayedAt} says. */
  okhttp3.Request request(okhttp3.mockwebserver.MockWebServer server) {
    Fixture.Interaction recorded = recorded();
    if (replayUrl == null) return recorded.request(server);
    return recorded.request(server, okhttp3.HttpUrl.get(replayUrl), replayBody.apply(recorded.requestBody));
  }

  /** The five call labels, as name/value pairs. */
  String[] labels() {
    return new String[] {
        "gen_ai_operation_name", operation,
        "gen_ai_provider_name", provider,
        "gen_ai_request_model", requestModel,
        "gen_ai_response_model", responseModel,
        "server_address", address};
  }

  String[] labels(String name, String value) {
    String[] call = labels();
    String[] all = Arrays.copyOf(call, call.length + 2);
    all[call.length] = name;
    all[call.length + 1] = value;
    return all;
  }

  /** One duration observation, with these labels and this error type, and nothing in flight. */
  void assertRecordedOnce(Scrape scrape) {
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds", labels("error_type", errorType)))
        .as("one duration observation with these labels, among %s",
            scrape.series("gen_ai_client_operation_duration_seconds"))
        .isEqualTo(1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds")).isEqualTo(1);
    assertThat(scrape.gauge("gen_ai_client_requests_in_flight",
        "gen_ai_operation_name", operation, "gen_ai_provider_name", provider,
        "gen_ai_request_model", requestModel, "server_address", address))
        .isEqualTo(0);
  }

  /** Token counters, token histograms and finish reasons equal the recording's. */
  void assertUsageAndFinishReasons(Scrape scrape) {
    if (tokens == null) {
      assertThat(scrape.series("gen_ai_client_tokens")).as("no usage in this response").isEmpty();
      assertThat(scrape.histogramCount("gen_ai_client_token_usage")).isZero();
    } else {
      for (int i = 0; i < TOKEN_TYPES.length; i++) {
        assertThat(scrape.counter("gen_ai_client_tokens", labels("gen_ai_token_type", TOKEN_TYPES[i])))
            .as(TOKEN_TYPES[i] + " tokens").isEqualTo(tokens[i]);
      }
      assertThat(scrape.histogramSum("gen_ai_client_token_usage", labels("gen_ai_token_type", "input")))
          .isEqualTo(tokens[0]);
      assertThat(scrape.histogramSum("gen_ai_client_token_usage", labels("gen_ai_token_type", "output")))
          .isEqualTo(tokens[1]);
    }
    for (String reason : finishReasons) {
      long times = finishReasons.stream().filter(reason::equals).count(); // once per choice
      assertThat(scrape.counter("gen_ai_client_finish_reasons", labels("gen_ai_response_finish_reason", reason)))
          .as("finish reason " + reason).isEqualTo(times);
    }
    assertThat(scrape.counter("gen_ai_client_finish_reasons")).isEqualTo(finishReasons.size());
  }

  @Override
  public String toString() {
    return fixture + "#" + interaction + (replayUrl == null ? "" : " at " + replayUrl);
  }
}
