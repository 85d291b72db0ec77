package dev.sluice.batch;

import dev.sluice.generate.Generator;
import dev.sluice.generate.ProviderGate;

/**
 * What every runner of a node shares: the database, the generator, its gate, the settings, the
 * node's lease clock and the writer of marks-only commits.
 */
record RunnerParts(
    BatchStore store,
    Generator generator,
    ProviderGate gate,
    BatchSettings settings,
    LeaseClock leases,
    MarkGroups marks) {}
