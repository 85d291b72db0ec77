package dev.sluice.batch;

import dev.sluice.support.TestDatabase;

/** A log of every update of an item row, kept by a trigger in the test's database. */
final class ItemWrites {

  private ItemWrites() {}

  /**
   * From now on every update of an item leaves its sequence number and new status in {@code
   * item_writes}.
   */
  static void record(TestDatabase db) {
    db.execute(
        "CREATE TABLE item_writes (seq int, status text);"
            + " CREATE FUNCTION log_item_write() RETURNS trigger LANGUAGE plpgsql AS"
            + " $$ BEGIN INSERT INTO item_writes VALUES (NEW.seq, NEW.status); RETURN NEW;"
            + " END $$;"
            + " CREATE TRIGGER item_writes AFTER UPDATE ON items FOR EACH ROW EXECUTE"
            + " FUNCTION log_item_write()");
  }
}
