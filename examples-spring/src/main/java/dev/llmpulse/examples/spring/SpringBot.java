package dev.llmpulse.examples.spring;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A customer-service bot as a Spring Boot 4 + Spring AI 2 team writes it, with the LLM Pulse
 * starter on the class path and not one line of LLM Pulse code. It talks to an embedded fake
 * OpenAI upstream, answers on {@code /chat?q=…} and {@code /chat/stream?q=…}, asks itself a
 * question every two seconds (property {@code bot.traffic.enabled}), and serves
 * {@code /actuator/prometheus} and {@code /actuator/health} (component {@code llm}).
 *
 * <pre>
 * mvn -q -pl examples-spring -am package -DskipTests
 * java -jar examples-spring/target/llmpulse-examples-spring-0.1.0-SNAPSHOT.jar
 * curl 'localhost:8080/chat?q=Where+is+my+order'
 * curl -s localhost:8080/actuator/prometheus | grep gen_ai_client_tokens_total
 * curl -s localhost:8080/actuator/health/llm
 * </pre>
 */
@SpringBootApplication
@RestController
public class SpringBot {
  private static final String[] QUESTIONS = {
      "Where is my order?", "Can I get a refund?", "Does my discount code work on sale items?",
      "Can I change the delivery address?"};

  private final ChatClient chat;

  SpringBot(ChatClient.Builder chat) {
    this.chat = chat.build();
  }

  @GetMapping("/chat")
  String chat(@RequestParam("q") String question) {
    return chat.prompt(question).call().content();
  }

  @GetMapping("/chat/stream")
  String stream(@RequestParam("q") String question) {
    List<String> pieces = chat.prompt(question).stream().content().collectList().block();
    return pieces == null ? "" : String.join("", pieces);
  }

  /** Customers keep asking: one question every two seconds, every other one streamed. */
  @Bean
  ApplicationRunner traffic(@Value("${bot.traffic.enabled:true}") boolean enabled) {
    return args -> {
      if (!enabled) return;
      ScheduledExecutorService customers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "customers");
        t.setDaemon(true);
        return t;
      });
      long[] asked = {0};
      customers.scheduleWithFixedDelay(() -> {
        String q = QUESTIONS[ThreadLocalRandom.current().nextInt(QUESTIONS.length)];
        try {
          if (asked[0]++ % 2 == 0) chat(q); else stream(q);
        } catch (RuntimeException e) {
          System.err.println("bot: " + e);
        }
      }, 1, 2, TimeUnit.SECONDS);
    };
  }

  /** The properties that point Spring AI at the embedded upstream, and the demo's defaults. */
  static Map<String, Object> demoProperties(FakeOpenAi upstream) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("spring.ai.openai.base-url", upstream.baseUrl());
    p.put("spring.ai.openai.api-key", "sk-demo");
    p.put("spring.ai.openai.chat.options.model", "gpt-4o-mini");
    p.put("management.endpoints.web.exposure.include", "prometheus,health");
    p.put("management.endpoint.health.show-details", "always");
    p.put("llmpulse.providers[127.0.0.1]", "openai"); // the fake upstream stands in for OpenAI
    return p;
  }

  public static void main(String[] args) throws IOException {
    FakeOpenAi upstream = new FakeOpenAi();
    SpringApplication app = new SpringApplication(SpringBot.class);
    app.setDefaultProperties(demoProperties(upstream));
    String port = app.run(args).getEnvironment().getProperty("local.server.port");
    System.out.println("Bot on http://localhost:" + port + "/chat?q=Where+is+my+order , metrics on"
        + " http://localhost:" + port + "/actuator/prometheus , health on /actuator/health/llm");
  }
}
