package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PromptTemplateTest {

  @Test
  @DisplayName("Placeholders are filled from the item's vars, with spaces inside braces allowed")
  void fills() {
    JsonObject input =
        new JsonObject().put("vars", new JsonObject().put("topic", "mitosis").put("n", 3));
    assertThat(PromptTemplate.render("Write {{ n }} questions on {{topic}} ($1 each).", input))
        .isEqualTo("Write 3 questions on mitosis ($1 each).");
  }

  @Test
  @DisplayName("An item's own prompt wins over the template")
  void promptWins() {
    assertThat(PromptTemplate.render("T {{x}}", new JsonObject().put("prompt", "own")))
        .isEqualTo("own");
  }

  @Test
  @DisplayName("The names a template uses are listed once each, in order")
  void names() {
    assertThat(PromptTemplate.names("{{a}} {{b}} {{a}} {{ c.d }}"))
        .containsExactly("a", "b", "c.d");
  }
}
