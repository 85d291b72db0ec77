package dev.sluice.batch;

import java.util.List;

/** The nodes that are live right now, as this node sees them. */
public interface Membership {

  /** The ids of the live nodes, this one included, sorted. */
  List<String> nodes();

  /** Whether the id of every live member is known (right after a join it may not be yet). */
  boolean complete();

  /** Whether this node is one of several (clustered mode). */
  boolean clustered();

  /** A node that runs alone. */
  static Membership alone(String nodeId) {
    return new Membership() {
      @Override
      public List<String> nodes() {
        return List.of(nodeId);
      }

      @Override
      public boolean complete() {
        return true;
      }

      @Override
      public boolean clustered() {
        return false;
      }
    };
  }
}
