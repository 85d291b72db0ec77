package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** The hashed set of item ids answers as a set of the ids themselves would. */
class IdSetProperties {

  @Property(tries = 300)
  @Label("Adding ids says 'new' exactly for the first of each, across the table's growth")
  void behavesAsASet(
      @ForAll @Size(max = 5_000) List<@AlphaChars @StringLength(max = 3) String> ids) {
    IdSet hashed = new IdSet();
    Set<String> plain = new HashSet<>();
    for (String id : ids) {
      assertThat(hashed.add(id)).as(id).isEqualTo(plain.add(id));
    }
  }

  @Property(tries = 3)
  @Label("A hundred thousand distinct ids are all new, and each is known the second time")
  void manyDistinctIds(@ForAll("q") String prefix) {
    IdSet hashed = new IdSet();
    for (int i = 0; i < 100_000; i++) {
      assertThat(hashed.add(prefix + i)).isTrue();
    }
    for (int i = 0; i < 100_000; i += 7) {
      assertThat(hashed.add(prefix + i)).isFalse();
    }
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<String> q() {
    return net.jqwik.api.Arbitraries.of("q", "item-", "");
  }
}
