package dev.llmpulse.hosts.starterboot3;

import org.springframework.ai.anthropic.AnthropicChatModel;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A customer-service bot as Spring AI 1.1 users write it: a ChatClient per model, actuator, the
 * Prometheus registry and the LLM Pulse starter on the class path. No LLM Pulse code.
 */
@SpringBootApplication
public class ChatApplication {
  @Bean
  ChatClient openAiChatClient(OpenAiChatModel model) {
    return ChatClient.create(model);
  }

  @Bean
  ChatClient anthropicChatClient(AnthropicChatModel model) {
    return ChatClient.create(model);
  }
}
