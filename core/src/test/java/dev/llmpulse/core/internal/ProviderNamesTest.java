package dev.llmpulse.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** gen_ai_provider_name from the request's host (and, for Azure AI Foundry, its path). */
class ProviderNamesTest {
  private final ProviderNames names = new ProviderNames(Map.of());

  @Test
  void wellKnownHostsAndTheirSubdomains() {
    assertThat(names.forHost("api.openai.com")).isEqualTo("openai");
    assertThat(names.forHost("API.Anthropic.com")).isEqualTo("anthropic");
    assertThat(names.forHost("myres.openai.azure.com")).isEqualTo("azure.ai.openai");
    assertThat(names.forHost("bedrock-runtime.us-east-1.amazonaws.com")).isEqualTo("aws.bedrock");
    assertThat(names.forHost("notopenai.com")).isEqualTo("_OTHER");
    assertThat(names.forHost("localhost")).isEqualTo("_OTHER");
  }

  @Test
  void vertexAiRegionalEndpointsAreVertexAi() {
    assertThat(names.forHost("aiplatform.googleapis.com")).isEqualTo("gcp.vertex_ai");
    assertThat(names.forHost("us-east5-aiplatform.googleapis.com")).isEqualTo("gcp.vertex_ai");
    assertThat(names.forHost("europe-west1-aiplatform.googleapis.com")).isEqualTo("gcp.vertex_ai");
  }

  @Test
  void azureOpenAiOnCognitiveServicesAndOnAiFoundryPaths() {
    assertThat(names.forHost("myres.cognitiveservices.azure.com")).isEqualTo("azure.ai.openai");
    assertThat(names.forRequest("rubyllm.services.ai.azure.com", "/openai/v1/responses"))
        .isEqualTo("azure.ai.openai");
    assertThat(names.forRequest("rubyllm.services.ai.azure.com", "/models/chat/completions"))
        .isEqualTo("azure.ai.inference");
  }

  @Test
  void theUsersNamesWin() {
    ProviderNames custom = new ProviderNames(Map.of("rubyllm.services.ai.azure.com", "foundry",
        "localhost", "ollama"));
    assertThat(custom.forRequest("rubyllm.services.ai.azure.com", "/openai/v1/responses"))
        .isEqualTo("foundry");
    assertThat(custom.forRequest("LOCALHOST", "/api/chat")).isEqualTo("ollama");
  }
}
