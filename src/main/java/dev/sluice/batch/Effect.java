package dev.sluice.batch;

/** Work that an accepted command asks of the runtime, in the same write as the new state. */
public enum Effect {
  /** Every pending item becomes cancelled; items in flight are left to finish. */
  CANCEL_PENDING,
  /** Every failed item goes back to pending with its attempts reset. */
  REQUEUE_FAILED,
  /** The batch's deadline no longer applies (an expired batch reopened by retry-failed). */
  LIFT_DEADLINE
}
